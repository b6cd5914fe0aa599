// Package coercion checks a request's variables against the types its
// operation declares, by GraphQL's input coercion rules
// (https://spec.graphql.org/October2021/#sec-Coercing-Variable-Values),
// before gqlgen's own check, which lets through what the rules refuse: a
// string of digits for an Int, an Int beyond 32 bits, an enum value in
// another case, a number for a String. A variable that does not coerce is a
// request error with the code BAD_USER_INPUT, answered before execution.
//
// Finding the operation as GraphQL's GetOperation does, it also says, when a
// document holds several operations and the request names none, that the
// request must name one.
package coercion

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// CodeBadUserInput is the code of a variable that does not coerce.
const CodeBadUserInput = "BAD_USER_INPUT"

// A variable that does not coerce fails the request, not a field.
func init() {
	errcode.RegisterErrorType(CodeBadUserInput, errcode.KindProtocol)
}

// Variables is the gqlgen extension checking variables. It reads a query's
// document from the handler's cache of validated documents, or parses it,
// within tokenLimit tokens, when it is not there yet; a document that does
// not parse, or names no such operation, is left for gqlgen to report.
type Variables struct {
	documents  graphql.Cache[*ast.QueryDocument]
	tokenLimit int
	schema     *ast.Schema
}

// New returns the extension, reading documents from the handler's cache.
func New(documents graphql.Cache[*ast.QueryDocument], tokenLimit int) *Variables {
	return &Variables{documents: documents, tokenLimit: tokenLimit}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*Variables)(nil)

func (*Variables) ExtensionName() string { return "VariableCoercion" }

func (v *Variables) Validate(es graphql.ExecutableSchema) error {
	v.schema = es.Schema()
	return nil
}

// MutateOperationParameters checks raw's variables, as the client sent them
// (numbers as json.Number, as every gqlgen transport decodes them).
func (v *Variables) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	doc, ok := v.documents.Get(ctx, raw.Query)
	if !ok {
		var err error
		if doc, err = parser.ParseQueryWithTokenLimit(&ast.Source{Input: raw.Query}, v.tokenLimit); err != nil {
			return nil
		}
	}
	if raw.OperationName == "" && len(doc.Operations) > 1 {
		err := gqlerror.Errorf("the document holds %d operations: operationName must name the one to run", len(doc.Operations))
		errcode.Set(err, errcode.ValidationFailed)
		return err
	}
	op := doc.Operations.ForName(raw.OperationName)
	if op == nil {
		return nil
	}
	for _, def := range op.VariableDefinitions {
		value, given := raw.Variables[def.Variable]
		var problem error
		switch {
		case !given && def.DefaultValue == nil && def.Type.NonNull:
			problem = fmt.Errorf("a value of type %s is required", def.Type)
		case given:
			problem = Check(v.schema, def.Type, value)
		}
		if problem != nil {
			err := gqlerror.ErrorPosf(def.Position, "variable $%s got an invalid value: %s", def.Variable, problem)
			errcode.Set(err, CodeBadUserInput)
			return err
		}
	}
	return nil
}

// Check reports why value, decoded from JSON with json.Number for numbers,
// does not coerce to typ of schema, or nil when it does. Types the schema
// does not define are left to validation, and custom scalars to their own
// unmarshalling.
func Check(schema *ast.Schema, typ *ast.Type, value any) error {
	return checker{schema}.check(typ, value, "")
}

type checker struct{ schema *ast.Schema }

// check reports the first part of value, at the path under at, that does not
// coerce to typ.
func (c checker) check(typ *ast.Type, value any, at string) error {
	if value == nil {
		if typ.NonNull {
			return located(at, fmt.Errorf("%s cannot be null", typ))
		}
		return nil
	}
	if typ.Elem != nil {
		items, ok := value.([]any)
		if !ok {
			// A single value stands for a list of one.
			return c.check(typ.Elem, value, at)
		}
		for i, item := range items {
			if err := c.check(typ.Elem, item, at+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	}
	def := c.schema.Types[typ.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.Scalar:
		return located(at, scalar(def.Name, value))
	case ast.Enum:
		name, ok := value.(string)
		if !ok || def.EnumValues.ForName(name) == nil {
			return located(at, fmt.Errorf("%s is not a value of %s", show(value), def.Name))
		}
	case ast.InputObject:
		fields, ok := value.(map[string]any)
		if !ok {
			return located(at, fmt.Errorf("%s is not a %s object", show(value), def.Name))
		}
		for name := range fields {
			if def.Fields.ForName(name) == nil {
				return located(at, fmt.Errorf("%s has no field %q", def.Name, name))
			}
		}
		for _, f := range def.Fields {
			field, given := fields[f.Name]
			switch {
			case !given && f.DefaultValue == nil && f.Type.NonNull:
				return located(at, fmt.Errorf("the field %s of %s is required", f.Name, def.Name))
			case given:
				if err := c.check(f.Type, field, at+"."+f.Name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// scalar checks a value of one of GraphQL's built-in scalars.
func scalar(name string, value any) error {
	number, isNumber := value.(json.Number)
	var ok bool
	switch name {
	case "Int":
		// GraphQL's Int is a 32-bit signed integer, written as one.
		_, err := strconv.ParseInt(number.String(), 10, 32)
		ok = isNumber && err == nil
	case "Float":
		_, err := strconv.ParseFloat(number.String(), 64)
		ok = isNumber && err == nil
	case "String":
		_, ok = value.(string)
	case "Boolean":
		_, ok = value.(bool)
	case "ID":
		_, err := strconv.ParseInt(number.String(), 10, 64)
		_, isString := value.(string)
		ok = isString || isNumber && err == nil
	default:
		return nil
	}
	if !ok {
		return fmt.Errorf("%s is not a valid %s value", show(value), name)
	}
	return nil
}

// show writes value as the client wrote it, in JSON.
func show(value any) string {
	text, err := json.Marshal(value)
	if err != nil {
		return fmt.Sprintf("%v", value)
	}
	return string(text)
}

// located says where in a variable's value err was found.
func located(at string, err error) error {
	if err == nil || at == "" {
		return err
	}
	return fmt.Errorf("at %s: %w", at, err)
}
