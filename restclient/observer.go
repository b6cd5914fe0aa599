package restclient

import "time"

// Observer learns what the client does with GitLab, for metrics. Its
// methods are called concurrently, on the request's path, and must not
// block. Routes are templates such as "/projects/:id/jobs": never an id,
// never a token.
type Observer interface {
	// RequestDone is called once per HTTP request sent, with GitLab's status
	// (0 when no answer came) and how long the exchange took.
	RequestDone(method, route string, status int, took time.Duration)
	// Retrying is called before a call is tried again.
	Retrying(method, route string)
	// Refused is called for a request not sent: cause is ErrCallBudget or
	// ErrCircuitOpen.
	Refused(method, route string, cause error)
	// InFlight is called with +1 when a request is sent and -1 when its
	// exchange ends (for a log stream, when it is closed).
	InFlight(delta int)
	// BreakerChanged is called with the circuit breaker's new state.
	BreakerChanged(state string)
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) RequestDone(string, string, int, time.Duration) {}
func (nopObserver) Retrying(string, string)                        {}
func (nopObserver) Refused(string, string, error)                  {}
func (nopObserver) InFlight(int)                                   {}
func (nopObserver) BreakerChanged(string)                          {}
