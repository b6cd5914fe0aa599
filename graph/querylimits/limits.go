// Package querylimits bounds the shapes of the queries the gateway accepts:
// nesting, aliases, fields once fragments are expanded, repeats of a field,
// introspection, and the tokens and validation errors of a query. Each is
// refused before validation runs or any upstream call is made.
package querylimits

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

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

// A query refused for its shape is a request error, like one that fails
// validation: it never executes, and its answer has no data.
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
// once per fragment spread on an object (Relay adds id and __typename to
// each), a few dozen times at most.
const maxRepeats = 200

// MaxTokens bounds a query's length in GraphQL tokens, for gqlgen's parser
// and for the measuring below: what validation costs grows faster than the
// query, so the query's size must be bounded, not only its body's. The
// introspection query is about 300 tokens; a large frontend query a few
// thousand.
const MaxTokens = 10_000

// maxSameNamePairs bounds the pairs of same-named fields a query's selection
// sets hold, summed: validation compares each pair, and their selections
// with each other, so 20 repeats of a field holding 200 repeats of another
// took 1.4 s to validate. A frontend's fragments make a few hundred pairs.
const maxSameNamePairs = 20_000

// maxNameCounts bounds the measuring's own work: the response names it counts
// across a query's fragments. A chain of fragments each spreading the next
// would otherwise make the count quadratic in the query's length.
const maxNameCounts = 100_000

// Introspection fields answer from the schema, not from GitLab, and so cost
// no upstream call and little complexity, yet one __schema under a fragment
// reading every type's fields answers 135 KB: aliased 90 times, a 3 KB query
// made a 12 MB answer and 2 s of work. Clients read the schema once per
// query (GraphiQL, code generators) and look up a few types by name.
const (
	maxSchemaFields = 1
	maxTypeFields   = 20
)

// maxValidationErrors caps the errors validation reports for one query; past
// a hundred they say nothing new and only make the answer large.
const maxValidationErrors = 100

// Limits are the bounds of an operation's shape that the operator sets.
type Limits struct {
	// MaxDepth bounds field nesting.
	MaxDepth int
	// MaxAliases bounds the aliases of one operation.
	MaxAliases int
	// MaxFields bounds the fields an operation expands to, fragments
	// included.
	MaxFields int
}

// New returns the gqlgen extension that refuses queries over limits, and
// over the fixed bounds below, before they are validated.
func New(limits Limits) graphql.HandlerExtension {
	return shapeLimits{maxDepth: limits.MaxDepth, maxAliases: limits.MaxAliases, maxFields: limits.MaxFields,
		accepted: lru.New[struct{}](acceptedCacheSize)}
}

// acceptedCacheSize is how many accepted queries are remembered, so that
// each is measured once.
const acceptedCacheSize = 1000

// shapeLimits refuses, before gqlgen validates it, a query with an operation
// nested deeper than maxDepth fields, naming more than maxAliases aliases,
// expanding to more than maxFields fields, naming one field more than
// maxRepeats times in a selection set or holding more than maxSameNamePairs
// same-named pairs, or with fragments validation would refuse (named twice,
// undefined, cyclic). Complexity bounds the work a query asks for; these
// bound the shapes no frontend needs and an abuser would (deep cycles through
// job → project → jobs, aliases that multiply one expensive field, fragments
// spread twice at every level, which expand exponentially and would make the
// complexity walk itself the attack, and repeats, which would make validation
// the attack). Queries it accepted are remembered by their hash, so each is
// measured once.
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
	sum := sha256.Sum256([]byte(raw.Query))
	key := hex.EncodeToString(sum[:])
	if _, ok := l.accepted.Get(ctx, key); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: raw.Query}, MaxTokens)
	if err != nil {
		return nil
	}
	m, err := newMeasurer(doc)
	if err != nil {
		return invalid(err)
	}
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
	if m.err != nil {
		return invalid(m.err)
	}
	switch {
	case m.counted > maxNameCounts:
		err := gqlerror.Errorf("the query's fragments name fields more than %d times between them", maxNameCounts)
		errcode.Set(err, CodeComplexity)
		return err
	case m.pairs > maxSameNamePairs:
		err := gqlerror.Errorf("the query's selection sets hold %d pairs of same-named fields, which exceeds the limit of %d", m.pairs, maxSameNamePairs)
		errcode.Set(err, CodeTooRepetitive)
		return err
	}
	l.accepted.Add(ctx, key, struct{}{})
	return nil
}

// invalid reports a query validation would refuse, found while measuring:
// validation is spared a query built to make it slow.
func invalid(err error) *gqlerror.Error {
	e := gqlerror.Errorf("%s", err)
	errcode.Set(e, errcode.ValidationFailed)
	return e
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
	case sh.schemas > maxSchemaFields || sh.types > maxTypeFields:
		err = gqlerror.Errorf("operation reads the schema %d times and looks up %d types, which exceeds the limits of %d and %d",
			sh.schemas, sh.types, maxSchemaFields, maxTypeFields)
		errcode.Set(err, CodeComplexity)
	case sh.repeats > maxRepeats:
		err = gqlerror.Errorf("a selection set names one field %d times, which exceeds the limit of %d", sh.repeats, maxRepeats)
		errcode.Set(err, CodeTooRepetitive)
	}
	return err
}

// ValidationRules are GraphQL's validation rules, reporting at most
// maxValidationErrors errors between them. gqlgen asks for a fresh set for
// every query it validates.
func ValidationRules() *rules.Rules {
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
	schemas, types                  int // __schema and __type fields
}

const saturated = 1 << 30

func add(a, b int) int { return min(a+b, saturated) }

// measurer measures the selection sets of a query that has not been
// validated: fragments are looked up by name, and an undefined or cyclic
// spread is recorded as the query's error (validation would refuse it, at a
// cost the query may have been built to make large). Each fragment is measured
// once, which keeps the walk linear in the query's text however often a
// fragment is spread.
type measurer struct {
	defs     map[string]*ast.FragmentDefinition
	shapes   map[string]shape
	names    map[string]map[string]int
	visiting map[string]bool
	counted  int   // response names counted, against maxNameCounts
	pairs    int   // pairs of same-named fields, against maxSameNamePairs
	err      error // the first undefined or cyclic spread
}

// newMeasurer prepares the measuring of doc, refusing a document that names
// two fragments alike: validation would read the first, and the measuring
// must read what validation reads.
func newMeasurer(doc *ast.QueryDocument) (*measurer, error) {
	m := &measurer{
		defs:     map[string]*ast.FragmentDefinition{},
		shapes:   map[string]shape{},
		names:    map[string]map[string]int{},
		visiting: map[string]bool{},
	}
	for _, f := range doc.Fragments {
		if m.defs[f.Name] != nil {
			return nil, fmt.Errorf("there can be only one fragment named %q", f.Name)
		}
		m.defs[f.Name] = f
	}
	return m, nil
}

// spread returns the definition a spread names, or nil, recording the error,
// when it names none or one being measured (a cycle).
func (m *measurer) spread(name string) *ast.FragmentDefinition {
	def := m.defs[name]
	switch {
	case def == nil:
		m.fail(fmt.Errorf("unknown fragment %q", name))
	case m.visiting[name]:
		m.fail(fmt.Errorf("cannot spread fragment %q within itself", name))
	default:
		return def
	}
	return nil
}

func (m *measurer) fail(err error) {
	if m.err == nil {
		m.err = err
	}
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
			switch s.Name {
			case "__schema":
				sh.schemas = add(sh.schemas, 1)
			case "__type":
				sh.types = add(sh.types, 1)
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
		total.schemas = add(total.schemas, sh.schemas)
		total.types = add(total.types, sh.types)
	}
	for _, n := range m.responseNames(set) {
		total.repeats = max(total.repeats, n)
		m.pairs = add(m.pairs, n*(n-1)/2)
	}
	return total
}

func (m *measurer) fragment(name string) shape {
	if sh, ok := m.shapes[name]; ok {
		return sh
	}
	def := m.spread(name)
	if def == nil {
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
	if m.counted > maxNameCounts {
		return counts
	}
	defer func() { m.counted += len(counts) }()
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
	def := m.spread(name)
	if def == nil {
		return nil
	}
	m.visiting[name] = true
	names := m.responseNames(def.SelectionSet)
	delete(m.visiting, name)
	m.names[name] = names
	return names
}
