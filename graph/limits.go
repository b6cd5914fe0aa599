package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes of the shape limits. CodeComplexity is gqlgen's own code for
// its complexity limit, which an operation expanding to more fields than the
// limit would exceed anyway.
const (
	CodeTooDeep        = "QUERY_TOO_DEEP"
	CodeTooManyAliases = "TOO_MANY_ALIASES"
	CodeComplexity     = "COMPLEXITY_LIMIT_EXCEEDED"
)

// shapeLimits refuses, before any resolver runs, operations nested deeper
// than maxDepth fields, naming more than maxAliases aliases, or expanding to
// more than maxFields fields. Complexity bounds the work a query asks for;
// these bound the shapes no frontend needs and an abuser would (deep cycles
// through job → project → jobs, aliases that multiply one expensive field,
// fragments spread twice at every level, which expand exponentially and would
// make the complexity walk itself the attack).
type shapeLimits struct {
	maxDepth, maxAliases, maxFields int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimits{}

func (shapeLimits) ExtensionName() string                   { return "ShapeLimits" }
func (shapeLimits) Validate(graphql.ExecutableSchema) error { return nil }
func (l shapeLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	m := measurer{fragments: map[*ast.FragmentDefinition]shape{}}
	sh := m.measure(oc.Operation.SelectionSet)
	var err *gqlerror.Error
	switch {
	case sh.fields > l.maxFields:
		err = gqlerror.Errorf("operation expands to more than %d fields", l.maxFields)
		errcode.Set(err, CodeComplexity)
	case sh.depth > l.maxDepth:
		err = gqlerror.Errorf("operation is nested %d fields deep, which exceeds the limit of %d", sh.depth, l.maxDepth)
		errcode.Set(err, CodeTooDeep)
	case sh.aliases > l.maxAliases:
		err = gqlerror.Errorf("operation uses %d aliases, which exceeds the limit of %d", sh.aliases, l.maxAliases)
		errcode.Set(err, CodeTooManyAliases)
	}
	return err
}

// shape is what measure finds of a selection set once fragments are
// expanded. Counts saturate at saturated.
type shape struct {
	depth, aliases, fields int
}

const saturated = 1 << 30

// measurer measures selection sets, each fragment once: validation has run,
// so fragments are defined and acyclic, and memoizing them keeps the walk
// linear in the query's text however often a fragment is spread.
type measurer struct {
	fragments map[*ast.FragmentDefinition]shape
}

func (m measurer) measure(set ast.SelectionSet) shape {
	var total shape
	for _, sel := range set {
		var sh shape
		switch s := sel.(type) {
		case *ast.Field:
			sh = m.measure(s.SelectionSet)
			sh.depth++
			sh.fields = min(sh.fields+1, saturated)
			if s.Alias != "" && s.Alias != s.Name {
				sh.aliases = min(sh.aliases+1, saturated)
			}
		case *ast.InlineFragment:
			sh = m.measure(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			var ok bool
			if sh, ok = m.fragments[s.Definition]; !ok {
				sh = m.measure(s.Definition.SelectionSet)
				m.fragments[s.Definition] = sh
			}
		}
		total.depth = max(total.depth, sh.depth)
		total.aliases = min(total.aliases+sh.aliases, saturated)
		total.fields = min(total.fields+sh.fields, saturated)
	}
	return total
}
