package persisted

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"jobgraph/internal/redistest"
)

func code(err *gqlerror.Error) string {
	if err == nil {
		return ""
	}
	c, _ := err.Extensions["code"].(string)
	return c
}

func TestTrustedDocuments(t *testing.T) {
	const jobs = `query Jobs { currentUser { username } }`
	trusted := NewTrusted(Manifest{"abc123": jobs})
	persisted := func(id string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": id}}
	}
	tests := []struct {
		name      string
		raw       graphql.RawParams
		wantCode  string
		wantQuery string
	}{
		{"an id", graphql.RawParams{Extensions: persisted("abc123")}, "", jobs},
		{"an unknown id", graphql.RawParams{Extensions: persisted("nope")}, CodeNotFound, ""},
		{"a trusted text", graphql.RawParams{Query: jobs}, "", jobs},
		{"any other text", graphql.RawParams{Query: `{ projects { nodes { id } } }`}, CodeNotTrusted, `{ projects { nodes { id } } }`},
		{"an id with another text", graphql.RawParams{Query: `{ x }`, Extensions: persisted("abc123")}, CodeNotTrusted, `{ x }`},
		{"a malformed extension", graphql.RawParams{Extensions: map[string]any{"persistedQuery": "abc123"}}, CodeBadExtension, ""},
		{"an id that is not a string", graphql.RawParams{Extensions: map[string]any{"persistedQuery": map[string]any{"sha256Hash": 7}}}, CodeBadExtension, ""},
	}
	for _, tt := range tests {
		raw := tt.raw
		err := trusted.MutateOperationParameters(context.Background(), &raw)
		if code(err) != tt.wantCode || raw.Query != tt.wantQuery {
			t.Errorf("%s: code %q, query %q; want %q, %q", tt.name, code(err), raw.Query, tt.wantCode, tt.wantQuery)
		}
		if err != nil && errcode.GetErrorKind(gqlerror.List{err}) != errcode.KindProtocol {
			t.Errorf("%s: a refusal is not a request error", tt.name)
		}
	}
}

func TestLoadManifest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	m, err := LoadManifest(write("ok.json", `{"a1": "{ currentUser { id } }"}`))
	if err != nil || m["a1"] != "{ currentUser { id } }" {
		t.Fatalf("manifest %v, %v", m, err)
	}
	for name, text := range map[string]string{"empty.json": `{}`, "list.json": `["{ a }"]`, "bad.json": `{`} {
		if _, err := LoadManifest(write(name, text)); err == nil {
			t.Errorf("%s loaded", name)
		}
	}
	if _, err := LoadManifest(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing manifest loaded")
	}
}

// exercise checks what every cache must do: keep a query, and never a
// query longer than MaxQueryBytes.
func exercise(t *testing.T, c graphql.Cache[string]) {
	t.Helper()
	ctx := context.Background()
	c.Add(ctx, "h1", "{ a }")
	if q, ok := c.Get(ctx, "h1"); !ok || q != "{ a }" {
		t.Errorf("Get(h1) = %q, %t", q, ok)
	}
	c.Add(ctx, "big", strings.Repeat(" ", MaxQueryBytes+1))
	if _, ok := c.Get(ctx, "big"); ok {
		t.Error("a query over the bound was kept")
	}
	if _, ok := c.Get(ctx, "never"); ok {
		t.Error("a hash never added was found")
	}
}

func TestMemoryCache(t *testing.T) {
	exercise(t, NewMemoryCache(10))
}

// TestRedisCacheIsShared checks the fleet's case on a real Redis: a query
// added through one replica's cache is found through another's.
func TestRedisCacheIsShared(t *testing.T) {
	opts, err := redis.ParseURL(redistest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	one, two := redis.NewClient(opts), redis.NewClient(opts)
	defer one.Close()
	defer two.Close()
	exercise(t, NewRedisCache(one, time.Hour))
	if q, ok := NewRedisCache(two, time.Hour).Get(context.Background(), "h1"); !ok || q != "{ a }" {
		t.Errorf("the other replica got %q, %t", q, ok)
	}
	ttl, err := one.TTL(context.Background(), redisKey("h1")).Result()
	if err != nil || ttl <= 0 || ttl > time.Hour {
		t.Errorf("TTL %v, %v; want at most an hour", ttl, err)
	}
}

// TestRedisCacheWithoutRedisMisses checks that a dead Redis reads as a miss.
func TestRedisCacheWithoutRedisMisses(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 50 * time.Millisecond})
	defer client.Close()
	c := NewRedisCache(client, time.Hour)
	c.Add(context.Background(), "h", "{ a }")
	if _, ok := c.Get(context.Background(), "h"); ok {
		t.Error("found a query in a Redis that does not run")
	}
	if err := client.Ping(context.Background()).Err(); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("ping = %v, want a connection error", err)
	}
}
