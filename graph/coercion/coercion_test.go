package coercion_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"jobgraph/graph/coercion"
)

var schema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	scalar Time
	enum Status { FAILED SUCCESS }
	input Filter { status: Status!, names: [String!], since: Time, limit: Int = 10, inner: Filter }
	type Query { f(a: Int): Int }
`})

// typeOf parses a GraphQL type such as "[Int!]!".
func typeOf(t *testing.T, text string) *ast.Type {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: "query($v: " + text + ") { f }"})
	if err != nil {
		t.Fatal(err)
	}
	return doc.Operations[0].VariableDefinitions[0].Type
}

// value decodes JSON as gqlgen's transports do, numbers as json.Number.
func value(t *testing.T, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCheck(t *testing.T) {
	cases := []struct {
		typ, value string
		problem    string // empty: the value coerces
	}{
		{"Int", `4`, ""},
		{"Int", `-2147483648`, ""},
		{"Int", `2147483647`, ""},
		{"Int", `2147483648`, "2147483648 is not a valid Int"},
		{"Int", `-2147483649`, "is not a valid Int"},
		{"Int", `"4"`, `"4" is not a valid Int`},
		{"Int", `4.5`, "is not a valid Int"},
		{"Int", `4.0`, "is not a valid Int"},
		{"Int", `1e3`, "is not a valid Int"},
		{"Int", `true`, "is not a valid Int"},
		{"Int", `null`, ""},
		{"Int!", `null`, "Int! cannot be null"},
		{"Float", `4`, ""},
		{"Float", `4.5e10`, ""},
		{"Float", `1e400`, "is not a valid Float"},
		{"Float", `"4.5"`, "is not a valid Float"},
		{"String", `"s"`, ""},
		{"String", `4`, "4 is not a valid String"},
		{"String", `["s"]`, "is not a valid String"},
		{"Boolean", `false`, ""},
		{"Boolean", `"true"`, "is not a valid Boolean"},
		{"Boolean", `0`, "is not a valid Boolean"},
		{"ID", `"gid://x/1"`, ""},
		{"ID", `123456789012`, ""},
		{"ID", `1.5`, "is not a valid ID"},
		{"ID", `true`, "is not a valid ID"},
		{"Status", `"FAILED"`, ""},
		{"Status", `"failed"`, `"failed" is not a value of Status`},
		{"Status", `"Success"`, "is not a value of Status"},
		{"Status", `1`, "is not a value of Status"},
		{"[Status!]", `["FAILED", "SUCCESS"]`, ""},
		{"[Status!]", `"FAILED"`, ""},
		{"[Status!]", `["FAILED", "failed"]`, "at [1]: "},
		{"[Status!]", `["FAILED", null]`, "at [1]: Status! cannot be null"},
		{"[Status]", `[null]`, ""},
		{"[[Int]]", `1`, ""},
		{"[[Int]]", `[[1], [2, "3"]]`, "at [1][1]: "},
		{"[Int]!", `null`, "cannot be null"},
		{"Time", `"2024-01-01T00:00:00Z"`, ""},
		{"Time", `5`, ""},
		{"Filter", `{"status": "FAILED"}`, ""},
		{"Filter", `{"status": "FAILED", "names": "a", "since": "x", "limit": null, "inner": {"status": "SUCCESS"}}`, ""},
		{"Filter", `{}`, "the field status of Filter is required"},
		{"Filter", `{"status": null}`, "at .status: Status! cannot be null"},
		{"Filter", `{"status": "FAILED", "other": 1}`, `Filter has no field "other"`},
		{"Filter", `{"status": "FAILED", "limit": "10"}`, "at .limit: "},
		{"Filter", `{"status": "FAILED", "inner": {"status": "x"}}`, "at .inner.status: "},
		{"Filter", `{"status": "FAILED", "names": ["a", 1]}`, "at .names[1]: "},
		{"Filter", `"FAILED"`, "is not a Filter object"},
		{"Unknown", `1`, ""},
	}
	for _, c := range cases {
		err := coercion.Check(schema, typeOf(t, c.typ), value(t, c.value))
		switch {
		case c.problem == "" && err != nil:
			t.Errorf("%s %s: %v, want it to coerce", c.typ, c.value, err)
		case c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)):
			t.Errorf("%s %s: %v, want %q", c.typ, c.value, err, c.problem)
		}
	}
}
