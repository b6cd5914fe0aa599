package graph

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// queriesOverGET is gqlgen's GET transport, except that it refuses a
// mutation with 405 Method Not Allowed and Allow: POST, as GraphQL over HTTP
// requires (gqlgen answers 406). A GET must not act: a link, a prefetch or a
// crawler would. A query that does not parse is left to gqlgen to report.
type queriesOverGET struct{ transport.GET }

func (t queriesOverGET) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	params := r.URL.Query()
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Get("query")}, maxTokens)
	if err == nil {
		if op := doc.Operations.ForName(params.Get("operationName")); op != nil && op.Operation != ast.Query {
			w.Header().Set("Allow", http.MethodPost)
			refuse(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "a mutation is served over POST only")
			return
		}
	}
	t.GET.Do(w, r, exec)
}
