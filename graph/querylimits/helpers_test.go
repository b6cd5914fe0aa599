package querylimits_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/restclient"
)

// gateway is the GraphQL handler over gitlabsim, served in process: the
// limits are tested where they act, in the gateway's handler.
type gateway struct {
	sim     *gitlabsim.Sim
	handler http.Handler
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	upstream := httptest.NewServer(sim)
	t.Cleanup(func() { upstream.Close(); sim.Close() })
	client, err := restclient.New(restclient.Config{BaseURL: upstream.URL})
	if err != nil {
		t.Fatal(err)
	}
	return &gateway{sim: sim, handler: graph.NewHandler(client, graph.HandlerConfig{})}
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// post sends a GraphQL request as the demo maintainer, accepting
// application/graphql-response+json, and returns the answer's status and body.
func (g *gateway) post(t *testing.T, params map[string]any) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(params)
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	req.Header.Set("Authorization", "Bearer "+gitlabsim.TokenMaintainer)
	rec := httptest.NewRecorder()
	g.handler.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// do sends a query and decodes its answer.
func (g *gateway) do(t *testing.T, query string) gqlResponse {
	t.Helper()
	status, answer := g.post(t, map[string]any{"query": query})
	var out gqlResponse
	if err := json.Unmarshal(answer, &out); err != nil {
		t.Fatalf("decoding response (status %d): %v", status, err)
	}
	return out
}

// upstreamCalls is how many calls gitlabsim has served.
func (g *gateway) upstreamCalls() map[string]int64 { return g.sim.Stats() }
