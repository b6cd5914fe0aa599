package gitlabsim

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// errClientGone answers writes after the client gave up waiting for the answer.
var errClientGone = errors.New("gitlabsim: the client gave up before the answer was due")

// errNoHijack reports a connection that cannot be taken over; resetConnection then
// aborts the handler instead.
var errNoHijack = errors.New("gitlabsim: the connection does not support hijacking")

// sleepUntilDone waits d; it reports false when ctx ends first (the client gave up).
func sleepUntilDone(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// drawLatency returns this request's latency: fixed plus uniform in [0, jitter).
func (s *Sim) drawLatency() time.Duration {
	s.ctlMu.Lock()
	defer s.ctlMu.Unlock()
	d := s.fixed
	if s.jitter > 0 {
		d += time.Duration(s.rng.Int64N(int64(s.jitter)))
	}
	return d
}

// heldResponse makes the latency the time from a request's arrival to the first byte
// of its answer, as with a slow GitLab, rather than a sleep on top of the simulator's
// own work: work that took longer than the latency adds nothing. What the handler
// writes is buffered and goes out when the handler returns or flushes, no earlier
// than the deadline. Buffering, rather than blocking the first Write, matters because
// handlers write while holding the world's lock, which must not be held across the
// wait. Streaming handlers flush once their header is set; from then on writes pass
// straight through.
type heldResponse struct {
	w        http.ResponseWriter
	ctx      context.Context
	deadline time.Time
	now      func() time.Time
	sleep    func(context.Context, time.Duration) bool

	status int
	body   bytes.Buffer
	sent   bool // the held answer went out (or the connection was taken); writes pass through
	gaveUp bool // the client left during the wait; nothing goes out any more
}

func (h *heldResponse) Header() http.Header { return h.w.Header() }

func (h *heldResponse) WriteHeader(status int) {
	switch {
	case h.sent:
		h.w.WriteHeader(status)
	case h.status == 0:
		h.status = status
	}
}

func (h *heldResponse) Write(p []byte) (int, error) {
	switch {
	case h.gaveUp:
		return 0, errClientGone
	case h.sent:
		return h.w.Write(p)
	}
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

// Flush sends the held answer once the deadline has passed and flushes the connection.
func (h *heldResponse) Flush() {
	if !h.send() {
		return
	}
	if f, ok := h.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands over the connection once the deadline has passed, so a reset fault
// drops the connection when GitLab's answer would have come.
func (h *heldResponse) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.w.(http.Hijacker)
	if !ok {
		return nil, nil, errNoHijack
	}
	if !h.wait() {
		return nil, nil, errClientGone
	}
	h.sent = true
	return hj.Hijack()
}

// send writes the held status and body after the deadline; it reports whether the
// answer is out, false when the client gave up while it waited.
func (h *heldResponse) send() bool {
	if h.sent || h.gaveUp {
		return h.sent
	}
	if !h.wait() {
		return false
	}
	h.sent = true
	if h.status != 0 {
		h.w.WriteHeader(h.status)
	}
	if h.body.Len() > 0 {
		_, _ = h.w.Write(h.body.Bytes())
	}
	return true
}

// wait sleeps until the deadline; false means the client gave up first.
func (h *heldResponse) wait() bool {
	d := h.deadline.Sub(h.now())
	if d <= 0 || h.sleep(h.ctx, d) {
		return true
	}
	h.gaveUp = true
	return false
}
