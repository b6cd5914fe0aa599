package restclient

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ErrorKind classifies a failed call into what the gateway tells its client.
type ErrorKind int

// Error classes. KindBadRequest also covers input this package rejects before
// any request is made.
const (
	KindBadRequest      ErrorKind = iota + 1 // 400, 422 and the other 4xx refusing the request itself, or invalid arguments
	KindUnauthenticated                      // 401: no token or a bad one
	KindForbidden                            // 403: not allowed to act
	KindNotFound                             // 404 or 410: missing, or hidden from this caller
	KindConflict                             // 409: e.g. erase during an artifacts size refresh
	KindRateLimited                          // 429: see Error.RetryAfter
	KindUpstream                             // 5xx, a refused redirect, or any other unexpected answer
	KindTimeout                              // 408, or a deadline expired before GitLab answered
	KindMalformed                            // the body is not the JSON the route promises
	KindTransport                            // the connection failed, or the call was canceled
	KindCallLimit                            // not sent: the operation's Budget is spent (ErrCallBudget)
)

var kindNames = map[ErrorKind]string{
	KindBadRequest:      "bad request",
	KindUnauthenticated: "unauthenticated",
	KindForbidden:       "forbidden",
	KindNotFound:        "not found",
	KindConflict:        "conflict",
	KindRateLimited:     "rate limited",
	KindUpstream:        "upstream error",
	KindTimeout:         "timeout",
	KindMalformed:       "malformed response",
	KindTransport:       "transport error",
	KindCallLimit:       "call limit reached",
}

func (k ErrorKind) String() string {
	if name, ok := kindNames[k]; ok {
		return name
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// Error is the one error type of this package.
type Error struct {
	Kind       ErrorKind
	StatusCode int           // 0 when no response
	Message    string        // GitLab's message, or a description; never the token
	Method     string        // e.g. "GET"
	Route      string        // route template, e.g. "/projects/:id/jobs/:job_id"
	RetryAfter time.Duration // for a 429 or 503: how long GitLab asked to wait (0 if unknown)
	Err        error         // underlying cause
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("gitlab ")
	if e.Method != "" || e.Route != "" {
		b.WriteString(e.Method + " " + e.Route + ": ")
	}
	b.WriteString(e.Kind.String())
	if e.StatusCode != 0 {
		b.WriteString(" (" + strconv.Itoa(e.StatusCode) + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RetryAfter > 0 {
		b.WriteString(", retry after " + e.RetryAfter.String())
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Refusal returns the reason when GitLab refused an action in words meant
// for its users: a 400, 403 or 409 whose message is "<status> - <reason>",
// such as "403 Forbidden - Job is not retryable". A bare "403 Forbidden" is
// a permission error, not a refusal.
func (e *Error) Refusal() (reason string, ok bool) {
	switch e.Kind {
	case KindBadRequest, KindForbidden, KindConflict:
	default:
		return "", false
	}
	status, reason, ok := strings.Cut(e.Message, " - ")
	if !ok || !strings.HasPrefix(status, strconv.Itoa(e.StatusCode)+" ") || reason == "" {
		return "", false
	}
	return reason, true
}

// KindOf returns the kind of the *Error in err's chain, or 0 when there is none.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// kindForStatus maps an HTTP status that is not a success to an ErrorKind.
// The 4xx that say the request itself was wrong (a method, media type, length
// or precondition GitLab refuses) are the caller's bad request.
func kindForStatus(code int) ErrorKind {
	switch code {
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusNotAcceptable,
		http.StatusLengthRequired, http.StatusPreconditionFailed, http.StatusRequestEntityTooLarge,
		http.StatusRequestURITooLong, http.StatusUnsupportedMediaType, http.StatusRequestedRangeNotSatisfiable,
		http.StatusExpectationFailed, http.StatusTeapot, http.StatusUnprocessableEntity:
		return KindBadRequest
	case http.StatusUnauthorized:
		return KindUnauthenticated
	case http.StatusForbidden:
		return KindForbidden
	case http.StatusNotFound, http.StatusGone:
		return KindNotFound
	case http.StatusConflict:
		return KindConflict
	case http.StatusTooManyRequests:
		return KindRateLimited
	case http.StatusRequestTimeout:
		return KindTimeout
	default:
		return KindUpstream
	}
}

// transientStatus lists the answers that say "try again": the server or a
// proxy in front of it was briefly unable to answer. Other 5xx (501 Not
// Implemented, 505 HTTP Version Not Supported, ...) will not change.
var transientStatus = map[int]bool{
	http.StatusRequestTimeout:      true,
	http.StatusInternalServerError: true,
	http.StatusBadGateway:          true,
	http.StatusServiceUnavailable:  true,
	http.StatusGatewayTimeout:      true,
}

// maxErrorBody bounds how much of an error answer is read: GitLab's are tiny,
// and a proxy's HTML error page must not be held whole.
const maxErrorBody = 64 << 10

// maxMessage bounds Error.Message, which the gateway hands on to its own
// clients: enough for any message GitLab writes, not a whole page.
const maxMessage = 1 << 10

// errorMessage extracts GitLab's message from an error body, which is
// {"message": string | object | array} or {"error": string}; anything else
// yields the status line. It reads at most maxErrorBody bytes.
func errorMessage(status int, body io.Reader) string {
	var parsed struct {
		Message          jsontext.Value `json:"message"`
		Error            jsontext.Value `json:"error"`
		ErrorDescription string         `json:"error_description"`
	}
	raw, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	if json.Unmarshal(raw, &parsed, decodeOptions) == nil {
		if msg := flattenMessage(parsed.Message); msg != "" {
			return msg
		}
		if msg := flattenMessage(parsed.Error); msg != "" {
			if parsed.ErrorDescription != "" {
				msg += ": " + parsed.ErrorDescription
			}
			return msg
		}
	}
	return strings.TrimSpace(strconv.Itoa(status) + " " + http.StatusText(status))
}

// flattenMessage renders a GitLab message value as one line. Validation errors
// arrive as {"field": ["reason", ...]}; they become "field reason" joined by
// "; " with the fields sorted by name, so the text is stable whatever order
// GitLab wrote them in.
func flattenMessage(raw jsontext.Value) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s, decodeOptions) == nil {
		return s
	}
	var list []jsontext.Value
	if json.Unmarshal(raw, &list, decodeOptions) == nil {
		parts := make([]string, 0, len(list))
		for _, item := range list {
			if msg := flattenMessage(item); msg != "" {
				parts = append(parts, msg)
			}
		}
		return strings.Join(parts, "; ")
	}
	var fields map[string]jsontext.Value
	if json.Unmarshal(raw, &fields, decodeOptions) == nil {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			msg := flattenMessage(fields[k])
			if msg == "" {
				parts = append(parts, k)
				continue
			}
			parts = append(parts, k+" "+msg)
		}
		return strings.Join(parts, "; ")
	}
	return string(raw)
}
