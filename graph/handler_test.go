package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// The parsed-query cache keeps short queries and lets long ones go.
func TestBoundedCacheKeepsShortQueries(t *testing.T) {
	ctx := context.Background()
	c := boundedCache{lru.New[*ast.QueryDocument](10)}
	short, long := "{ __typename }", "{ __typename }"+strings.Repeat(" ", maxCachedQuery)
	c.Add(ctx, short, &ast.QueryDocument{})
	c.Add(ctx, long, &ast.QueryDocument{})
	if _, ok := c.Get(ctx, short); !ok {
		t.Error("a short query was not kept")
	}
	if _, ok := c.Get(ctx, long); ok {
		t.Error("a query over the limit was kept")
	}
}
