// Package persisted keeps GraphQL documents by hash for jobgraph: the cache
// behind Apollo's automatic persisted queries (in memory, or in Redis so
// that every replica of a fleet knows a query one of them was sent), and
// trusted documents, a manifest of the only documents a locked-down
// deployment runs.
package persisted

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxQueryBytes is the longest query kept: frontend queries are a few
// kilobytes, and a cache filled with megabyte queries would hold gigabytes.
const MaxQueryBytes = 64 << 10

// bounded keeps only queries up to MaxQueryBytes in cache.
type bounded struct{ graphql.Cache[string] }

func (b bounded) Add(ctx context.Context, hash, query string) {
	if len(query) <= MaxQueryBytes {
		b.Cache.Add(ctx, hash, query)
	}
}

// NewMemoryCache keeps up to size queries in this process, least recently
// used first out.
func NewMemoryCache(size int) graphql.Cache[string] {
	return bounded{lru.New[string](size)}
}

// NewRedisCache keeps queries in Redis for ttl after their last use, shared
// by every replica that uses the same Redis. A Redis that does not answer
// reads as a miss, so a client sends its query again, and a replica keeps
// serving without Redis.
func NewRedisCache(client *redis.Client, ttl time.Duration) graphql.Cache[string] {
	return bounded{redisCache{client: client, ttl: ttl}}
}

type redisCache struct {
	client *redis.Client
	ttl    time.Duration
}

// redisTimeout bounds a cache call: a slow Redis must not slow every query.
const redisTimeout = 500 * time.Millisecond

func redisKey(hash string) string { return "jobgraph:apq:" + hash }

func (c redisCache) Get(ctx context.Context, hash string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	query, err := c.client.GetEx(ctx, redisKey(hash), c.ttl).Result()
	return query, err == nil
}

func (c redisCache) Add(ctx context.Context, hash, query string) {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	_ = c.client.Set(ctx, redisKey(hash), query, c.ttl).Err()
}

// Error codes of trusted documents.
const (
	CodeNotFound     = "PERSISTED_QUERY_NOT_FOUND"
	CodeNotTrusted   = "PERSISTED_DOCUMENT_REQUIRED"
	CodeBadExtension = "PERSISTED_QUERY_INVALID"
)

// A refused document is a request error, as a document that fails
// validation is.
func init() {
	for _, code := range []string{CodeNotFound, CodeNotTrusted, CodeBadExtension} {
		errcode.RegisterErrorType(code, errcode.KindProtocol)
	}
}

// Manifest maps a document's id to its text, as relay-compiler's
// persisted-queries file and GraphQL Code Generator's persisted-documents
// file both write it.
type Manifest map[string]string

// LoadManifest reads a manifest file.
func LoadManifest(path string) (Manifest, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the trusted documents: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("trusted documents %s: want a JSON object of id to document: %w", path, err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("trusted documents %s: the manifest is empty", path)
	}
	return m, nil
}

// Trusted is a gqlgen extension that runs only the manifest's documents: a
// request names one by its id in extensions.persistedQuery.sha256Hash, as
// Apollo's and GraphQL Code Generator's clients send it, or sends a
// document's exact text. Any other document is refused before it is parsed.
type Trusted struct {
	byID   Manifest
	byText map[[sha256.Size]byte]bool
}

// NewTrusted runs the documents of m alone.
func NewTrusted(m Manifest) *Trusted {
	t := &Trusted{byID: m, byText: map[[sha256.Size]byte]bool{}}
	for _, doc := range m {
		t.byText[sha256.Sum256([]byte(doc))] = true
	}
	return t
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*Trusted)(nil)

func (*Trusted) ExtensionName() string                   { return "TrustedDocuments" }
func (*Trusted) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters replaces an id with its document, and refuses
// what the manifest does not hold.
func (t *Trusted) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	id, named, err := persistedID(raw.Extensions)
	if err != nil {
		return err
	}
	switch {
	case named && raw.Query == "":
		doc, ok := t.byID[id]
		if !ok {
			return refusal(CodeNotFound, "PersistedQueryNotFound")
		}
		raw.Query = doc
	case raw.Query != "" && !t.byText[sha256.Sum256([]byte(raw.Query))]:
		return refusal(CodeNotTrusted, "this server runs only its trusted documents; send a document's id in extensions.persistedQuery")
	case named && t.byID[id] != raw.Query:
		return refusal(CodeNotTrusted, "the document sent is not the one its id names")
	}
	return nil
}

// persistedID reads extensions.persistedQuery.sha256Hash.
func persistedID(ext map[string]any) (id string, named bool, err *gqlerror.Error) {
	pq, ok := ext["persistedQuery"]
	if !ok {
		return "", false, nil
	}
	fields, ok := pq.(map[string]any)
	if !ok {
		return "", false, refusal(CodeBadExtension, "extensions.persistedQuery must be an object")
	}
	id, ok = fields["sha256Hash"].(string)
	if !ok || id == "" || len(id) > 128 {
		return "", false, refusal(CodeBadExtension, "extensions.persistedQuery.sha256Hash must be a document id")
	}
	return id, true, nil
}

func refusal(code, message string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", message)
	errcode.Set(err, code)
	return err
}
