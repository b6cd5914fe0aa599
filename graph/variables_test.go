package graph_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"jobgraph/gitlabsim"
)

// Variables are coerced by GraphQL's rules: a value that does not coerce is
// a request error with BAD_USER_INPUT and no data, costs no upstream call,
// and logs no error.
func TestVariablesAreCoercedStrictly(t *testing.T) {
	s := newStack(t)
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelError})))

	const project = `query($p: Int!) { project(id: $p) { name } }`
	const jobs = `query($p: Int!, $s: [CiStatus!]) { project(id: $p) { jobs(statuses: $s) { nodes { id } } } }`
	const pipelines = `query($p: Int!, $s: CiStatus) { project(id: $p) { pipelines(status: $s) { nodes { id } } } }`
	cases := []struct {
		name, query string
		vars        map[string]any
	}{
		{"a string for an Int", project, map[string]any{"p": "4"}},
		{"an Int past 32 bits", project, map[string]any{"p": 1 << 31}},
		{"a lowercase enum in a list", jobs, map[string]any{"p": gitlabsim.ProjectDemo, "s": []string{"failed"}}},
		{"a lowercase enum", pipelines, map[string]any{"p": gitlabsim.ProjectDemo, "s": "success"}},
		{"a required variable missing", project, nil},
	}
	for _, c := range cases {
		status, answer := s.post(t, gitlabsim.TokenMaintainer, map[string]any{"query": c.query, "variables": c.vars})
		var out map[string]json.RawMessage
		var errs []gqlError
		if status != http.StatusOK || json.Unmarshal(answer, &out) != nil || out["data"] != nil ||
			json.Unmarshal(out["errors"], &errs) != nil || len(errs) != 1 || errs[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("%s: %d %s; want 200, one BAD_USER_INPUT and no data", c.name, status, answer)
		}
	}
	if calls := s.calls(); total(calls) != 0 {
		t.Errorf("refused variables cost upstream calls: %v", calls)
	}
	if logged.Len() > 0 {
		t.Errorf("refused variables logged errors:\n%s", logged.String())
	}
	var data jobsPage
	s.data(t, jobs, map[string]any{"p": gitlabsim.ProjectDemo, "s": "FAILED"}, &data)
}

// A document of several operations needs operationName to say which to run.
func TestOperationNameIsRequiredAmongSeveral(t *testing.T) {
	s := newStack(t)
	out := s.do(t, gitlabsim.TokenMaintainer, `query A { currentUser { username } } query B { currentUser { name } }`, nil)
	if len(out.Errors) != 1 || !strings.Contains(out.Errors[0].Message, "operationName must name the one to run") {
		t.Fatalf("errors %+v, want one saying operationName is required", out.Errors)
	}
}
