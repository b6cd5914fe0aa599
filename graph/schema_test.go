package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"jobgraph/graph/generated"
)

// TestEveryNodeFieldMergesAcrossTypes asks for every field of every Node type
// in one nodes(ids:) selection, without aliases. GraphQL lets same-named
// fields of different types share a response key only when their types have
// the same shape (FieldsInSetCanMerge), so a field that disagrees with a
// namesake on another type fails this query's validation, as it fails a
// client's mixed query.
func TestEveryNodeFieldMergesAcrossTypes(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	var q strings.Builder
	q.WriteString("query Mixed($ids: [ID!]!) { nodes(ids: $ids) { __typename")
	implementations := schema.GetPossibleTypes(schema.Types["Node"])
	if len(implementations) < 6 {
		t.Fatalf("Node has %d implementations; the schema did not load", len(implementations))
	}
	for _, typ := range implementations {
		fmt.Fprintf(&q, " ... on %s {", typ.Name)
		for _, f := range typ.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				q.WriteString(" " + selection(schema, f))
			}
		}
		q.WriteString(" }")
	}
	q.WriteString(" } }")
	doc, errs := gqlparser.LoadQuery(schema, q.String())
	if len(errs) > 0 {
		t.Fatalf("a query over every Node type's fields does not validate:\n%v", errs)
	}
	if len(doc.Operations) != 1 {
		t.Fatalf("parsed %d operations", len(doc.Operations))
	}
}

// selection selects f with a value for each required argument, and
// __typename below it when its type has fields.
func selection(schema *ast.Schema, f *ast.FieldDefinition) string {
	var args []string
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			args = append(args, a.Name+": "+literal(a.Type))
		}
	}
	s := f.Name
	if len(args) > 0 {
		s += "(" + strings.Join(args, ", ") + ")"
	}
	if kind := schema.Types[f.Type.Name()].Kind; kind == ast.Object || kind == ast.Interface {
		s += " { __typename }"
	}
	return s
}

func literal(t *ast.Type) string {
	if t.Elem != nil {
		return "[" + literal(t.Elem) + "]"
	}
	if slices.Contains([]string{"String", "ID"}, t.NamedType) {
		return `"x"`
	}
	return "1"
}
