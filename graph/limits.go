package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Error codes of the shape limits. CodeComplexity is gqlgen's own code for
// its complexity limit, which an operation expanding to more fields than the
// limit would exceed anyway.
const (
	CodeTooDeep        = "QUERY_TOO_DEEP"
	CodeTooManyAliases = "TOO_MANY_ALIASES"
	CodeTooRepetitive  = "FIELD_REPEATED_TOO_OFTEN"
	CodeComplexity     = "COMPLEXITY_LIMIT_EXCEEDED"
)

// A query refused for its shape is a malformed request, like one that fails
// validation: gqlgen answers both with a 4xx status (422, or 400 where the
// client accepts application/graphql-response+json), which GraphQL over HTTP
// requires of a response without data.
func init() {
	for _, code := range []string{CodeTooDeep, CodeTooManyAliases, CodeTooRepetitive, CodeComplexity} {
		errcode.RegisterErrorType(code, errcode.KindProtocol)
	}
}

// maxRepeats is how often one selection set may name the same field (alias
// or name), fragments included. GraphQL's validation compares every two
// same-named fields of a selection set, so repeats cost quadratic time and, if
// their arguments differ, quadratic errors: 5,000 repeats in a 100 KB query
// made 12 million comparisons and 8 million errors. Frontends repeat a field
// a handful of times at most, through fragments.
const maxRepeats = 50

// maxValidationErrors caps the errors validation reports for one query; past
// a hundred they say nothing new and only make the answer large.
const maxValidationErrors = 100

// shapeLimits refuses, before gqlgen validates it, a query with an operation
// nested deeper than maxDepth fields, naming more than maxAliases aliases,
// expanding to more than maxFields fields, or naming one field more than
// maxRepeats times in a selection set. Complexity bounds the work a query asks
// for; these bound the shapes no frontend needs and an abuser would (deep
// cycles through job → project → jobs, aliases that multiply one expensive
// field, fragments spread twice at every level, which expand exponentially
// and would make the complexity walk itself the attack, and repeats, which
// would make validation the attack). Queries it accepted are remembered, so
// each is measured once.
type shapeLimits struct {
	maxDepth, maxAliases, maxFields int
	accepted                        *lru.LRU[struct{}]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = shapeLimits{}

func (shapeLimits) ExtensionName() string                   { return "ShapeLimits" }
func (shapeLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters measures the query's text before gqlgen parses
// and validates it. A query that does not parse is left for gqlgen to report.
func (l shapeLimits) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if _, ok := l.accepted.Get(ctx, raw.Query); ok {
		return nil
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: raw.Query})
	if err != nil {
		return nil
	}
	m := newMeasurer(doc)
	for _, op := range doc.Operations {
		if err := l.check(m.measure(op.SelectionSet)); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := l.check(m.fragment(f.Name)); err != nil {
			return err
		}
	}
	l.accepted.Add(ctx, raw.Query, struct{}{})
	return nil
}

func (l shapeLimits) check(sh shape) *gqlerror.Error {
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
	case sh.repeats > maxRepeats:
		err = gqlerror.Errorf("a selection set names one field %d times, which exceeds the limit of %d", sh.repeats, maxRepeats)
		errcode.Set(err, CodeTooRepetitive)
	}
	return err
}

// cappedValidationRules are GraphQL's validation rules, reporting at most
// maxValidationErrors errors between them. gqlgen asks for a fresh set for
// every query it validates.
func cappedValidationRules() *rules.Rules {
	rs := rules.NewDefaultRules()
	reported := 0
	capped := func(addError core.AddErrFunc) core.AddErrFunc {
		return func(options ...core.ErrorOption) {
			if reported < maxValidationErrors {
				reported++
				addError(options...)
			}
		}
	}
	for name, rule := range rs.GetInner() {
		rs.ReplaceRule(name, func(observers *core.Events, addError core.AddErrFunc) {
			rule(observers, capped(addError))
		})
	}
	return rs
}

// shape is what measure finds of a selection set once fragments are
// expanded: the deepest nesting, the aliases and fields, and the most times
// one selection set within names one field. Counts saturate at saturated.
type shape struct {
	depth, aliases, fields, repeats int
}

const saturated = 1 << 30

func add(a, b int) int { return min(a+b, saturated) }

// measurer measures the selection sets of a query that has not been
// validated: fragments are looked up by name, and an undefined or cyclic
// spread counts as empty (validation refuses it). Each fragment is measured
// once, which keeps the walk linear in the query's text however often a
// fragment is spread.
type measurer struct {
	defs     map[string]*ast.FragmentDefinition
	shapes   map[string]shape
	names    map[string]map[string]int
	visiting map[string]bool
}

func newMeasurer(doc *ast.QueryDocument) *measurer {
	m := &measurer{
		defs:     map[string]*ast.FragmentDefinition{},
		shapes:   map[string]shape{},
		names:    map[string]map[string]int{},
		visiting: map[string]bool{},
	}
	for _, f := range doc.Fragments {
		m.defs[f.Name] = f
	}
	return m
}

func (m *measurer) measure(set ast.SelectionSet) shape {
	var total shape
	for _, sel := range set {
		var sh shape
		switch s := sel.(type) {
		case *ast.Field:
			sh = m.measure(s.SelectionSet)
			sh.depth++
			sh.fields = add(sh.fields, 1)
			if s.Alias != "" && s.Alias != s.Name {
				sh.aliases = add(sh.aliases, 1)
			}
		case *ast.InlineFragment:
			sh = m.measure(s.SelectionSet)
		case *ast.FragmentSpread:
			sh = m.fragment(s.Name)
		}
		total.depth = max(total.depth, sh.depth)
		total.aliases = add(total.aliases, sh.aliases)
		total.fields = add(total.fields, sh.fields)
		total.repeats = max(total.repeats, sh.repeats)
	}
	for _, n := range m.responseNames(set) {
		total.repeats = max(total.repeats, n)
	}
	return total
}

func (m *measurer) fragment(name string) shape {
	if sh, ok := m.shapes[name]; ok {
		return sh
	}
	def := m.defs[name]
	if def == nil || m.visiting[name] {
		return shape{}
	}
	m.visiting[name] = true
	sh := m.measure(def.SelectionSet)
	delete(m.visiting, name)
	m.shapes[name] = sh
	return sh
}

// responseNames counts the response names set puts in its selection set,
// through the fragments spread in it.
func (m *measurer) responseNames(set ast.SelectionSet) map[string]int {
	counts := map[string]int{}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			counts[name] = add(counts[name], 1)
		case *ast.InlineFragment:
			for n, c := range m.responseNames(s.SelectionSet) {
				counts[n] = add(counts[n], c)
			}
		case *ast.FragmentSpread:
			for n, c := range m.fragmentNames(s.Name) {
				counts[n] = add(counts[n], c)
			}
		}
	}
	return counts
}

func (m *measurer) fragmentNames(name string) map[string]int {
	if names, ok := m.names[name]; ok {
		return names
	}
	def := m.defs[name]
	if def == nil || m.visiting[name] {
		return nil
	}
	m.visiting[name] = true
	names := m.responseNames(def.SelectionSet)
	delete(m.visiting, name)
	m.names[name] = names
	return names
}
