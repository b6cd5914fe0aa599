package querylimits_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"

	"jobgraph/gitlabsim"
)

func TestShapeLimits(t *testing.T) {
	g := newGateway(t)
	deep := fmt.Sprintf(`{ project(id: %d) { name `, gitlabsim.ProjectDemo) +
		strings.Repeat(`pipeline(id: 1) { project { `, 10) + `name` + strings.Repeat(` } }`, 10) + ` } }`
	var aliases strings.Builder
	for i := 0; i < 101; i++ {
		fmt.Fprintf(&aliases, "a%d: currentUser { username }\n", i)
	}
	cases := []struct{ name, query, code string }{
		{"too deep", deep, "QUERY_TOO_DEEP"},
		{"too many aliases", "{" + aliases.String() + "}", "TOO_MANY_ALIASES"},
		{"aliases inside fragments count", `{ ...F } fragment F on Query {` + aliases.String() + `}`, "TOO_MANY_ALIASES"},
	}
	for _, c := range cases {
		out := g.do(t, c.query)
		if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != c.code {
			t.Errorf("%s: errors %+v, want %s", c.name, out.Errors, c.code)
		}
	}
	if calls := g.upstreamCalls(); len(calls) != 0 {
		t.Fatalf("refused queries cost upstream calls: %v", calls)
	}
	// The introspection query GraphiQL and code generators send passes.
	out := g.do(t, introspection.Query)
	if len(out.Errors) > 0 {
		t.Fatalf("introspection refused: %+v", out.Errors)
	}
}

// Fragments spread twice at every level expand exponentially; the query is
// refused by a walk linear in its text, before gqlgen's complexity walk.
func TestFragmentExpansionIsRefusedCheaply(t *testing.T) {
	g := newGateway(t)
	const levels = 40 // 2^40 fields once expanded
	var q strings.Builder
	q.WriteString("query { currentUser { ...F0 } }\n")
	for i := 0; i < levels; i++ {
		fmt.Fprintf(&q, "fragment F%d on User { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&q, "fragment F%d on User { username }\n", levels)
	out := g.do(t, q.String())
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("errors %+v, want COMPLEXITY_LIMIT_EXCEEDED", out.Errors)
	}
}

// Validation compares every two same-named fields of a selection set. A
// query repeating a field thousands of times is refused before validation
// runs, at once and in a few hundred bytes, and a query within the limits
// that still makes validation report many errors gets a hundred of them.
func TestRepeatsAreRefusedBeforeValidation(t *testing.T) {
	g := newGateway(t)
	repeat := func(n int, field func(i int) string) string {
		var q strings.Builder
		q.WriteString("{")
		for i := range n {
			q.WriteString(field(i) + "\n")
		}
		return q.String() + "}"
	}
	cases := []struct{ name, query, code string }{
		{"5,000 conflicting fields", repeat(5000, func(i int) string { return fmt.Sprintf("project(id: %d) { name }", i+1) }), "GRAPHQL_PARSE_FAILED"},
		{"201 times one field", repeat(201, func(int) string { return "currentUser { username }" }), "FIELD_REPEATED_TOO_OFTEN"},
		{"through fragments", `{ currentUser { ...U } } fragment U on User { ` + strings.Repeat("username ", 101) + `...V } fragment V on User { ` + strings.Repeat("username ", 100) + `}`, "FIELD_REPEATED_TOO_OFTEN"},
		{"two fragments named alike", `{ currentUser { ...U } } fragment U on User { ` + strings.Repeat("username ", 10) + `} fragment U on User { name }`, "GRAPHQL_VALIDATION_FAILED"},
		{"cyclic fragments", `{ currentUser { ...U } } fragment U on User { username ...V } fragment V on User { name ...U }`, "GRAPHQL_VALIDATION_FAILED"},
		{"undefined fragment", `{ currentUser { ...U } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"over 10,000 tokens", repeat(4000, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }), "GRAPHQL_PARSE_FAILED"},
		{"fragment chain", chain(1000), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"the schema read twice", `{ a: __schema { queryType { name } } b: __schema { queryType { name } } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"21 type lookups", repeat(21, func(i int) string { return fmt.Sprintf(`t%d: __type(name: "Job") { name }`, i) }), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"repeats within repeats", repeat(20, func(int) string { return "project(id: 1) { jobs { " + strings.Repeat("totalCount ", 200) + "} }" }), "FIELD_REPEATED_TOO_OFTEN"},
	}
	for _, c := range cases {
		status, answer := g.post(t, map[string]any{"query": c.query})
		var out gqlResponse
		if err := json.Unmarshal(answer, &out); err != nil || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != c.code ||
			len(answer) > 1000 || status != http.StatusBadRequest {
			t.Errorf("%s: status %d, %d bytes, errors %+v, want 400 and one %s", c.name, status, len(answer), out.Errors, c.code)
		}
	}
	conflicts := repeat(maxRepeatsAllowed, func(i int) string { return fmt.Sprintf("project(id: %d) { name }", i+1) })
	out := g.do(t, conflicts)
	if len(out.Errors) != 100 {
		t.Fatalf("%d same-named fields with different arguments: %d errors, want 100", maxRepeatsAllowed, len(out.Errors))
	}
	if calls := g.upstreamCalls(); len(calls) != 0 {
		t.Fatalf("refused queries cost upstream calls: %v", calls)
	}
}

// maxRepeatsAllowed is the most times a selection set may name one field.
const maxRepeatsAllowed = 200

// chain is a query whose n fragments each add a field and spread the next:
// short, but naming fields quadratically often across its fragments.
func chain(n int) string {
	var q strings.Builder
	q.WriteString("{ currentUser { ...F0 } }\n")
	for i := range n {
		fmt.Fprintf(&q, "fragment F%d on User { f%d ...F%d }\n", i, i, i+1)
	}
	fmt.Fprintf(&q, "fragment F%d on User { name }\n", n)
	return q.String()
}

// Errors quoting a long literal are cut short, so a hundred of them quoting
// an 800 KB literal make an answer of about a hundred kilobytes, not 80 MB.
func TestErrorsQuotingLongValuesAreShortened(t *testing.T) {
	g := newGateway(t)
	var q strings.Builder
	for i := range 100 {
		fmt.Fprintf(&q, "query Q%d { ...F }\n", i)
	}
	q.WriteString(`fragment F on Query { project(id: "` + strings.Repeat("x", 800_000) + `") { name } }`)
	_, answer := g.post(t, map[string]any{"query": q.String(), "operationName": "Q1"})
	var out gqlResponse
	if err := json.Unmarshal(answer, &out); err != nil || len(out.Errors) == 0 || len(answer) > 200_000 {
		t.Fatalf("%d bytes, %d errors, %v", len(answer), len(out.Errors), err)
	}
	for _, e := range out.Errors {
		if len(e.Message) > 1100 {
			t.Fatalf("a message of %d bytes", len(e.Message))
		}
	}
}
