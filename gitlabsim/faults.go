package gitlabsim

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// FaultKind names one way a request can go wrong.
type FaultKind string

const (
	FaultError     FaultKind = "error"      // a 5xx answer (Faults.ErrorStatus, default 500)
	FaultRateLimit FaultKind = "rate_limit" // 429 with Retry-After and RateLimit-* headers
	FaultTimeout   FaultKind = "timeout"    // no answer until the client gives up
	FaultReset     FaultKind = "reset"      // the connection is closed without an answer
	FaultMalformed FaultKind = "malformed"  // the real answer, its body cut in half
)

// Faults is a fault plan. Rates are probabilities in [0, 1] drawn from the seeded RNG,
// checked in the order error, rate limit, timeout, reset, malformed. Routes limits the
// rates to those route keys (as in Stats, e.g. "GET /api/v4/projects/:id/jobs"); empty
// means every route. FailNext entries fire first and deterministically.
type Faults struct {
	Routes        []string   `json:"routes,omitempty"`
	ErrorRate     float64    `json:"error_rate,omitempty"`
	ErrorStatus   int        `json:"error_status,omitempty"`
	RateLimitRate float64    `json:"rate_limit_rate,omitempty"`
	RetryAfter    int        `json:"retry_after_seconds,omitempty"` // default 1
	TimeoutRate   float64    `json:"timeout_rate,omitempty"`
	ResetRate     float64    `json:"reset_rate,omitempty"`
	MalformedRate float64    `json:"malformed_rate,omitempty"`
	FailNext      []FailNext `json:"fail_next,omitempty"`
}

// FailNext fails the next Count requests to Route ("" = any route) with Kind.
type FailNext struct {
	Route  string    `json:"route,omitempty"`
	Count  int       `json:"count"`
	Kind   FaultKind `json:"kind"`
	Status int       `json:"status,omitempty"` // for FaultError; default 500
}

// Validate reports the first value out of range.
func (f Faults) Validate() error {
	for name, rate := range map[string]float64{
		"error_rate": f.ErrorRate, "rate_limit_rate": f.RateLimitRate, "timeout_rate": f.TimeoutRate,
		"reset_rate": f.ResetRate, "malformed_rate": f.MalformedRate,
	} {
		if rate < 0 || rate > 1 {
			return fmt.Errorf("%s %v is outside [0, 1]", name, rate)
		}
	}
	if f.ErrorStatus != 0 && (f.ErrorStatus < 500 || f.ErrorStatus > 599) {
		return fmt.Errorf("error_status %d is not a 5xx status", f.ErrorStatus)
	}
	if f.RetryAfter < 0 {
		return errors.New("retry_after_seconds is negative")
	}
	for i, fn := range f.FailNext {
		switch fn.Kind {
		case FaultError, FaultRateLimit, FaultTimeout, FaultReset, FaultMalformed:
		default:
			return fmt.Errorf("fail_next[%d]: unknown kind %q", i, fn.Kind)
		}
		if fn.Count < 0 {
			return fmt.Errorf("fail_next[%d]: count is negative", i)
		}
		if fn.Status != 0 && (fn.Status < 500 || fn.Status > 599) {
			return fmt.Errorf("fail_next[%d]: status %d is not a 5xx status", i, fn.Status)
		}
	}
	return nil
}

// SetFaults replaces the fault plan; the zero value injects nothing. Out-of-range
// values act at their nearest bound (a rate above 1 always fires); Validate reports them.
func (s *Sim) SetFaults(f Faults) {
	f.FailNext = append([]FailNext(nil), f.FailNext...)
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	s.faults = f
}

func (s *Sim) currentFaults() Faults {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	f := s.faults
	f.FailNext = append([]FailNext(nil), f.FailNext...)
	return f
}

// pickFault decides the fault, if any, for one request to the route key.
func (s *Sim) pickFault(key string) (FaultKind, int, bool) {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	f := &s.faults
	for i := range f.FailNext {
		fn := &f.FailNext[i]
		if fn.Count > 0 && (fn.Route == "" || fn.Route == key) {
			fn.Count--
			return fn.Kind, fn.Status, true
		}
	}
	if len(f.Routes) > 0 && !contains(f.Routes, key) {
		return "", 0, false
	}
	draw := s.rng.Float64()
	for _, c := range []struct {
		kind FaultKind
		rate float64
	}{{FaultError, f.ErrorRate}, {FaultRateLimit, f.RateLimitRate}, {FaultTimeout, f.TimeoutRate}, {FaultReset, f.ResetRate}, {FaultMalformed, f.MalformedRate}} {
		if draw < c.rate {
			return c.kind, f.ErrorStatus, true
		}
		draw -= max(c.rate, 0)
	}
	return "", 0, false
}

// injectFault applies a fault to the request; it reports whether it answered.
func (s *Sim) injectFault(w http.ResponseWriter, r *http.Request, key string, routed bool) bool {
	kind, status, ok := s.pickFault(key)
	if !ok {
		return false
	}
	switch kind {
	case FaultRateLimit:
		s.rateLimited(w)
	case FaultTimeout:
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
	case FaultReset:
		resetConnection(w)
	case FaultMalformed:
		if !routed {
			return false
		}
		s.truncated(w, r)
	default:
		if status == 0 {
			status = http.StatusInternalServerError
		}
		writeMessage(w, status, strconv.Itoa(status)+" "+http.StatusText(status))
	}
	return true
}

// rateLimited answers like Rack::Attack's throttle in GitLab.
func (s *Sim) rateLimited(w http.ResponseWriter) {
	s.ctlMu.Lock()
	after := s.faults.RetryAfter
	s.ctlMu.Unlock()
	if after == 0 {
		after = 1
	}
	reset := time.Now().Add(time.Duration(after) * time.Second)
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(after))
	h.Set("RateLimit-Name", "throttle_authenticated_api")
	h.Set("RateLimit-Limit", "600")
	h.Set("RateLimit-Observed", "601")
	h.Set("RateLimit-Remaining", "0")
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
	h.Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte("Retry later\n"))
}

// resetConnection drops the connection without an answer.
func resetConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tcp, isTCP := conn.(interface{ SetLinger(int) error }); isTCP {
				_ = tcp.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// truncated serves the real answer with its body cut in half and a Content-Length
// that matches the cut, so the client reads a complete response of broken JSON.
func (s *Sim) truncated(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	rt, params := match(s.routes, r.Method, r.URL.EscapedPath())
	if rc, ok := s.newRequestContext(rec, r, rt, params); ok {
		rt.handle(s, rc)
	}
	body := rec.Body.Bytes()
	cut := body[:len(body)/2]
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(cut)))
	w.WriteHeader(rec.Code)
	_, _ = bytes.NewReader(cut).WriteTo(w)
}
