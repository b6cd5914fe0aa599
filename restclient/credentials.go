package restclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

// CredentialKind says which GitLab authentication header a token travels in.
type CredentialKind int

// The three ways GitLab accepts a token on its REST API.
const (
	PrivateToken CredentialKind = iota + 1 // PRIVATE-TOKEN: <token>
	BearerToken                            // Authorization: Bearer <token>
	JobToken                               // JOB-TOKEN: <token>
)

// String names the header the kind is sent in.
func (k CredentialKind) String() string {
	switch k {
	case PrivateToken:
		return "PRIVATE-TOKEN"
	case BearerToken:
		return "Bearer"
	case JobToken:
		return "JOB-TOKEN"
	default:
		return "CredentialKind(" + strconv.Itoa(int(k)) + ")"
	}
}

// Credentials are one caller's token, forwarded upstream as the caller sent it.
type Credentials struct {
	Kind  CredentialKind
	Token string
}

// String never prints the token, so credentials can sit in logs and errors.
func (c Credentials) String() string {
	return c.Kind.String() + "(redacted)"
}

// GoString keeps %#v from printing the token too.
func (c Credentials) GoString() string {
	return "restclient.Credentials{" + c.String() + "}"
}

// Fingerprint is the hex SHA-256 of kind and token: a cache key that separates
// callers without keeping their tokens.
func (c Credentials) Fingerprint() string {
	sum := sha256.Sum256([]byte(strconv.Itoa(int(c.Kind)) + "\x00" + c.Token))
	return hex.EncodeToString(sum[:])
}

// valid reports whether c can be put on the wire: a known kind and a token of
// visible ASCII only, so no header can be split or smuggled.
func (c Credentials) valid() bool {
	if c.Kind < PrivateToken || c.Kind > JobToken || c.Token == "" {
		return false
	}
	for i := 0; i < len(c.Token); i++ {
		if c.Token[i] <= ' ' || c.Token[i] >= 0x7f {
			return false
		}
	}
	return true
}

func (c Credentials) apply(h http.Header) {
	switch c.Kind {
	case PrivateToken:
		h.Set("PRIVATE-TOKEN", c.Token)
	case BearerToken:
		h.Set("Authorization", "Bearer "+c.Token)
	case JobToken:
		h.Set("JOB-TOKEN", c.Token)
	}
}

type credentialsKey struct{}

// WithCredentials returns a context whose calls authenticate as c.
func WithCredentials(ctx context.Context, c Credentials) context.Context {
	return context.WithValue(ctx, credentialsKey{}, c)
}

// CredentialsFrom returns the credentials WithCredentials put in ctx.
func CredentialsFrom(ctx context.Context) (Credentials, bool) {
	c, ok := ctx.Value(credentialsKey{}).(Credentials)
	return c, ok
}

// CredentialsFromRequest reads a caller's token the way GitLab does: the
// PRIVATE-TOKEN header, then Authorization: Bearer, then JOB-TOKEN.
func CredentialsFromRequest(r *http.Request) (Credentials, bool) {
	if t := strings.TrimSpace(r.Header.Get("PRIVATE-TOKEN")); t != "" {
		return Credentials{Kind: PrivateToken, Token: t}, true
	}
	if scheme, t, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " "); ok &&
		strings.EqualFold(scheme, "Bearer") {
		if t = strings.TrimSpace(t); t != "" {
			return Credentials{Kind: BearerToken, Token: t}, true
		}
	}
	if t := strings.TrimSpace(r.Header.Get("JOB-TOKEN")); t != "" {
		return Credentials{Kind: JobToken, Token: t}, true
	}
	return Credentials{}, false
}
