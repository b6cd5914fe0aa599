# syntax=docker/dockerfile:1
# jobgraph as a static binary on a distroless base, running as a non-root
# user. Build: docker build -t jobgraph .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/jobgraph .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/jobgraph /jobgraph
USER nonroot:nonroot
ENV JOBGRAPH_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/jobgraph"]
