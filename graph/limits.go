package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes of the shape limits.
const (
	CodeTooDeep        = "QUERY_TOO_DEEP"
	CodeTooManyAliases = "TOO_MANY_ALIASES"
)

// shapeLimits refuses operations nested deeper than maxDepth fields, or
// naming more than maxAliases aliases, before any resolver runs. Complexity
// bounds the work a query asks for; these bound the shapes no frontend needs
// and an abuser would (deep cycles through job → project → jobs, aliases
// that multiply one expensive field).
type shapeLimits struct {
	maxDepth, maxAliases int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimits{}

func (shapeLimits) ExtensionName() string                   { return "ShapeLimits" }
func (shapeLimits) Validate(graphql.ExecutableSchema) error { return nil }
func (l shapeLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	depth, aliases := measure(oc.Operation.SelectionSet)
	switch {
	case depth > l.maxDepth:
		err := gqlerror.Errorf("operation is nested %d fields deep, which exceeds the limit of %d", depth, l.maxDepth)
		errcode.Set(err, CodeTooDeep)
		return err
	case aliases > l.maxAliases:
		err := gqlerror.Errorf("operation uses %d aliases, which exceeds the limit of %d", aliases, l.maxAliases)
		errcode.Set(err, CodeTooManyAliases)
		return err
	}
	return nil
}

// measure returns the deepest field nesting of a selection set and the
// number of aliased fields in it, following fragments. Validation has run:
// fragments are defined and acyclic.
func measure(set ast.SelectionSet) (depth, aliases int) {
	for _, sel := range set {
		var d, a int
		switch s := sel.(type) {
		case *ast.Field:
			d, a = measure(s.SelectionSet)
			d++
			if s.Alias != "" && s.Alias != s.Name {
				a++
			}
		case *ast.InlineFragment:
			d, a = measure(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d, a = measure(s.Definition.SelectionSet)
			}
		}
		depth = max(depth, d)
		aliases += a
	}
	return depth, aliases
}
