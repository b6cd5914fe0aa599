package restclient

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sony/gobreaker/v2"
)

// ErrCircuitOpen is the cause of a call refused unsent because GitLab has
// just failed many requests in a row: a dead GitLab gets fast errors instead
// of a pile of waits, and a probe request finds out when it is back.
var ErrCircuitOpen = errors.New("GitLab failed repeatedly; calls are paused until it answers again")

// Defaults of the circuit breaker.
const (
	DefaultBreakerFailures = 10
	DefaultBreakerCooldown = 5 * time.Second
)

// breaker is the circuit breaker in front of GitLab: it opens after failures
// consecutive requests failed in ways that say GitLab as a whole is unwell
// (no answer, an attempt timeout, a 502, 503 or 504 from it or a proxy in
// front of it), refuses requests for cooldown, then lets one probe through
// and closes again when it succeeds. A 500 does not count: GitLab answers it
// to one request it has a bug for, and a caller repeating that request must
// not stop everyone's calls.
type breaker struct {
	cb *gobreaker.TwoStepCircuitBreaker[struct{}]
}

// errExcluded marks an outcome that says nothing of GitLab's health: the
// caller gave up, or the request was refused before it was sent.
var errExcluded = errors.New("outcome not counted")

func newBreaker(failures int, cooldown time.Duration, stateChanged func(string)) *breaker {
	if failures <= 0 {
		return nil
	}
	return &breaker{cb: gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         "gitlab",
		MaxRequests:  1,
		Timeout:      cooldown,
		ReadyToTrip:  func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(failures) },
		IsSuccessful: func(err error) bool { return err == nil },
		IsExcluded:   func(err error) bool { return errors.Is(err, errExcluded) },
		OnStateChange: func(_ string, _, to gobreaker.State) {
			stateChanged(to.String())
		},
	})}
}

// allow asks the breaker to let a request through; the returned done must be
// called with the request's outcome.
func (b *breaker) allow(req *request) (done func(ctx context.Context, err *Error), refused *Error) {
	if b == nil {
		return func(context.Context, *Error) {}, nil
	}
	record, err := b.cb.Allow()
	if err != nil {
		return nil, req.fail(KindUpstream, 0, ErrCircuitOpen.Error(), ErrCircuitOpen)
	}
	return func(ctx context.Context, e *Error) {
		record(healthOutcome(ctx, e))
	}, nil
}

// healthOutcome is what a request's outcome says of GitLab's health: nil
// when it answered, an error when it failed as an unwell server does,
// errExcluded when the caller's own context ended it.
func healthOutcome(ctx context.Context, e *Error) error {
	switch {
	case e == nil:
		return nil
	case ctx.Err() != nil:
		return errExcluded
	case e.Kind == KindTransport, e.Kind == KindTimeout, unavailableStatus[e.StatusCode]:
		return e
	}
	return nil
}

// unavailableStatus lists the answers that say GitLab is down or overloaded.
var unavailableStatus = map[int]bool{
	http.StatusBadGateway:         true,
	http.StatusServiceUnavailable: true,
	http.StatusGatewayTimeout:     true,
}

// BreakerState is the circuit breaker's state: "closed", "open" or "half-open";
// "disabled" without a breaker.
func (c *Client) BreakerState() string {
	if c.breaker == nil {
		return "disabled"
	}
	return c.breaker.cb.State().String()
}
