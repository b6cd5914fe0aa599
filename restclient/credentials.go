package restclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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

// ErrUnusableCredentials is a request carrying a credential header that
// holds no token jobgraph can forward: another Authorization scheme than
// Bearer, or an empty or malformed token. Such a request is refused rather
// than served as one that carries none, with the server-wide token.
var ErrUnusableCredentials = errors.New("the request's credentials are not a GitLab token jobgraph can use: send Authorization: Bearer, PRIVATE-TOKEN or JOB-TOKEN")

// CredentialsFromRequest reads a caller's token the way GitLab does: the
// PRIVATE-TOKEN header, then Authorization, then JOB-TOKEN; the first of them
// present decides. ok is false when none is present; the error is
// ErrUnusableCredentials when the one present holds no usable token.
func CredentialsFromRequest(r *http.Request) (c Credentials, ok bool, err error) {
	switch {
	case has(r, "PRIVATE-TOKEN"):
		c = Credentials{Kind: PrivateToken, Token: strings.TrimSpace(r.Header.Get("PRIVATE-TOKEN"))}
	case has(r, "Authorization"):
		scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return Credentials{}, false, ErrUnusableCredentials
		}
		c = Credentials{Kind: BearerToken, Token: strings.TrimSpace(token)}
	case has(r, "JOB-TOKEN"):
		c = Credentials{Kind: JobToken, Token: strings.TrimSpace(r.Header.Get("JOB-TOKEN"))}
	default:
		return Credentials{}, false, nil
	}
	if !c.valid() {
		return Credentials{}, false, ErrUnusableCredentials
	}
	return c, true, nil
}

func has(r *http.Request, header string) bool {
	_, ok := r.Header[http.CanonicalHeaderKey(header)]
	return ok
}
