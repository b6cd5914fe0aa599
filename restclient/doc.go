// Package restclient is jobgraph's only speaker of HTTP to GitLab: a typed
// client for the REST endpoints of GitLab's Jobs, Pipelines, Projects,
// Commits and Users APIs that the gateway needs.
//
// It is hand-written rather than a wrapper of gitlab.com/gitlab-org/api/client-go
// because that library does not fit a multi-tenant gateway: it reads a whole job
// log into memory (a bytes.Reader) where logs can be hundreds of megabytes, it
// reports an absent X-Total as 0 where the gateway must say "unknown", it binds
// the token to the client where every call here carries its caller's own
// credentials, and its error type does not separate the classes the gateway
// translates into GraphQL error codes. What a well-kept library already does is
// not reimplemented: jittered exponential backoff comes from
// github.com/cenkalti/backoff/v5 and connection pooling from net/http's
// Transport (MaxConnsPerHost, MaxIdleConnsPerHost).
//
// Credentials travel with each call in its context (WithCredentials); a
// configured Fallback is used only for reads by a call that carries none. It
// never authorises an action (cancel, retry, erase, play) nor answers
// CurrentUser: those need the caller's own credentials and, without them, fail
// with KindUnauthenticated before any request is sent. Every path segment
// taken from input is escaped, so no project id can name another route. Errors
// are *Error values classified by ErrorKind and never contain a token. GET
// requests are retried on 408, 500, 502, 503, 504, connection failures and
// 429, honouring a Retry-After (429 or 503) that fits in Config.MaxRetryWait
// and never waiting past the caller's deadline; POST actions are never
// retried. Redirects are followed only within GitLab's host.
// A job log is a stream the caller must Close; it ends with KindTimeout after
// Config.StreamIdleTimeout without data.
package restclient
