package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"

	"jobgraph/gitlabsim"
)

func TestShapeLimits(t *testing.T) {
	s := newStack(t)
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
		out := s.do(t, gitlabsim.TokenMaintainer, c.query, nil)
		if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != c.code {
			t.Errorf("%s: errors %+v, want %s", c.name, out.Errors, c.code)
		}
	}
	if calls := s.calls(); total(calls) != 0 {
		t.Fatalf("refused queries cost upstream calls: %v", calls)
	}
	// The introspection query GraphiQL and code generators send passes.
	out := s.do(t, gitlabsim.TokenMaintainer, introspection.Query, nil)
	if len(out.Errors) > 0 {
		t.Fatalf("introspection refused: %+v", out.Errors)
	}
}

// Fragments spread twice at every level expand exponentially; the query is
// refused by a walk linear in its text, before gqlgen's complexity walk.
func TestFragmentExpansionIsRefusedCheaply(t *testing.T) {
	s := newStack(t)
	const levels = 40 // 2^40 fields once expanded
	var q strings.Builder
	q.WriteString("query { currentUser { ...F0 } }\n")
	for i := 0; i < levels; i++ {
		fmt.Fprintf(&q, "fragment F%d on User { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&q, "fragment F%d on User { username }\n", levels)
	out := s.do(t, gitlabsim.TokenMaintainer, q.String(), nil)
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("errors %+v, want COMPLEXITY_LIMIT_EXCEEDED", out.Errors)
	}
}
