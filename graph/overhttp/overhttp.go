// Package overhttp serves GraphQL over HTTP as its specification says
// (https://graphql.github.io/graphql-over-http/draft/), as gqlgen transports
// for GET and POST: the response's media type follows the request's Accept
// header, request errors (a document that does not parse or validate,
// variables that do not coerce) are answered without a data entry, with 200
// under application/json and 400 under application/graphql-response+json, and
// an operation other than a query sent over GET gets 405.
package overhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/elnormous/contenttype"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// CodeBadRequest is the code of a request that is not a GraphQL request.
const CodeBadRequest = "BAD_REQUEST"

// CodeMethodNotAllowed is the code of a mutation sent over GET.
const CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"

// The media types of GraphQL responses; the first is the one a request that
// accepts either, or neither, is answered in.
const (
	mediaJSON             = "application/json"
	mediaGraphQLResponse  = "application/graphql-response+json"
	notAGraphQLRequestMsg = "the request is not a GraphQL request: a query string, and optionally operationName, variables and extensions objects"
)

var answerable = []contenttype.MediaType{contenttype.NewMediaType(mediaJSON), contenttype.NewMediaType(mediaGraphQLResponse)}

// responseMediaType is the media type r's answer is encoded in: the one of
// the two it accepts with the higher preference, and application/json when
// its Accept header names neither, which the specification allows and which
// every GraphQL client reads.
func responseMediaType(r *http.Request) string {
	media, _, err := contenttype.GetAcceptableMediaType(r, answerable)
	if err != nil {
		return mediaJSON
	}
	return media.String()
}

// POST serves every operation from an application/json body.
type POST struct{}

// GET serves queries from the URL's query string.
type GET struct{}

var (
	_ graphql.Transport = POST{}
	_ graphql.Transport = GET{}
)

func (POST) Supports(r *http.Request) bool {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == "" && err == nil && mediaType == mediaJSON
}

func (GET) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

// requestParams are a GraphQL request's parameters as JSON spells them.
// Numbers are kept as json.Number, so that variables are coerced from the
// client's own text.
type requestParams struct {
	Query         *string        `json:"query"`
	OperationName *string        `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// serve runs the request p, read since start, and writes its answer; over GET
// (mutations false) only a query runs, as the specification requires.
func (p requestParams) serve(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, start time.Time, mutations bool) {
	media := responseMediaType(r)
	// A persisted query is named by its hash in extensions.persistedQuery,
	// with no query at all until the server asks for it.
	_, persisted := p.Extensions["persistedQuery"]
	if p.Query == nil && !persisted {
		writeRequestError(w, media, http.StatusBadRequest, coded(notAGraphQLRequestMsg, CodeBadRequest))
		return
	}
	raw := &graphql.RawParams{Variables: p.Variables, Extensions: p.Extensions, Headers: r.Header,
		ReadTime: graphql.TraceTiming{Start: start, End: graphql.Now()}}
	if p.Query != nil {
		raw.Query = *p.Query
	}
	if p.OperationName != nil {
		raw.OperationName = *p.OperationName
	}
	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, raw)
	if errs != nil {
		writeResponse(w, media, requestErrorStatus(media), requestError(exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)))
		return
	}
	if !mutations && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		writeRequestError(w, media, http.StatusMethodNotAllowed,
			coded("a "+string(opCtx.Operation.Operation)+" is served over POST only", CodeMethodNotAllowed))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, media, http.StatusOK, responses(ctx))
}

func decodeJSON(text io.Reader, v any) error {
	dec := json.NewDecoder(text)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingData
	}
	return nil
}

var errTrailingData = errors.New("data after the request's JSON value")

func (POST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	var p *requestParams
	if decodeJSON(r.Body, &p) != nil || p == nil {
		p = &requestParams{} // not a request: answered as one without a query
	}
	p.serve(w, r, exec, start, true)
}

func (GET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	values := r.URL.Query()
	var p requestParams
	if values.Has("query") {
		query := values.Get("query")
		p.Query = &query
	}
	if values.Has("operationName") {
		name := values.Get("operationName")
		p.OperationName = &name
	}
	for name, into := range map[string]*map[string]any{"variables": &p.Variables, "extensions": &p.Extensions} {
		if text := values.Get(name); text != "" && decodeJSON(strings.NewReader(text), into) != nil {
			writeRequestError(w, responseMediaType(r), http.StatusBadRequest, coded(name+" is not a JSON object", CodeBadRequest))
			return
		}
	}
	p.serve(w, r, exec, start, false)
}

// requestErrorStatus is the status of a well-formed request that failed
// before execution: 200 under application/json, where clients read the
// errors of any answer, and 400 under application/graphql-response+json.
func requestErrorStatus(media string) int {
	if media == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// requestErrorBody is a response to a request that never executed: errors,
// and no data entry at all.
type requestErrorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func requestError(resp *graphql.Response) requestErrorBody {
	return requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions}
}

func coded(message, code string) *gqlerror.Error {
	return &gqlerror.Error{Message: message, Extensions: map[string]any{"code": code}}
}

// writeRequestError answers a request refused before GraphQL started, with
// one error and no data.
func writeRequestError(w http.ResponseWriter, media string, status int, err *gqlerror.Error) {
	writeResponse(w, media, status, requestErrorBody{Errors: gqlerror.List{err}})
}

// WriteRequestError answers r with one request error, before GraphQL
// started, in the media type r accepts.
func WriteRequestError(w http.ResponseWriter, r *http.Request, status int, message, code string) {
	writeRequestError(w, responseMediaType(r), status, coded(message, code))
}

func writeResponse(w http.ResponseWriter, media string, status int, body any) {
	encoded, err := json.Marshal(body)
	if err != nil {
		// gqlgen's responses hold JSON it encoded itself, so this is a bug;
		// gqlgen's handler recovers the panic into an error response.
		panic(fmt.Errorf("encoding a GraphQL response: %w", err))
	}
	w.Header().Set("Content-Type", media)
	w.WriteHeader(status)
	_, _ = w.Write(encoded)
}
