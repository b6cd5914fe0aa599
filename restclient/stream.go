package restclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// errStreamIdle is the cancel cause when a job log gives no data for
// Config.StreamIdleTimeout.
var errStreamIdle = errors.New("no job log data within the stream idle timeout")

// streamBody is a job log being read. A log can be read for as long as it
// keeps flowing, but a stalled upstream or a reader that stopped reading ends
// the stream after the idle timeout, so neither holds a pooled connection
// forever. Closing it ends the call's context; it is also the Response's
// Body, so closing either cleans up.
type streamBody struct {
	body   io.ReadCloser
	ctx    context.Context // the caller's
	actx   context.Context // the attempt's, canceled by idleness or Close
	cancel context.CancelCauseFunc
	req    *request
	status int
	idle   time.Duration
	timer  *time.Timer
	close  sync.Once
	err    error
	// release frees the budget's in-flight slots the stream holds.
	release func()
}

func newStreamBody(ctx, actx context.Context, cancel context.CancelCauseFunc, req *request, resp *http.Response, idle time.Duration, release func()) *streamBody {
	return &streamBody{
		release: release,
		body:    resp.Body,
		ctx:     ctx,
		actx:    actx,
		cancel:  cancel,
		req:     req,
		status:  resp.StatusCode,
		idle:    idle,
		timer:   time.AfterFunc(idle, func() { cancel(errStreamIdle) }),
	}
}

// Read reads the log; every successful read restarts the idle timer. A failure is an
// *Error: KindTimeout when the stream went idle, otherwise classified like a
// failed exchange.
func (s *streamBody) Read(p []byte) (int, error) {
	n, err := s.body.Read(p)
	if err == nil {
		s.timer.Reset(s.idle)
		return n, nil
	}
	if errors.Is(err, io.EOF) {
		return n, err
	}
	switch {
	case errors.Is(context.Cause(s.actx), errStreamIdle):
		return n, s.req.fail(KindTimeout, s.status, "job log stalled", errStreamIdle)
	case s.ctx.Err() != nil:
		return n, contextError(s.ctx, s.req, err)
	default:
		return n, s.req.fail(KindTransport, s.status, "reading the job log", err)
	}
}

// Close releases the connection and the call's context; calling it again
// returns the first result.
func (s *streamBody) Close() error {
	s.close.Do(func() {
		s.timer.Stop()
		if err := s.body.Close(); err != nil {
			s.err = fmt.Errorf("closing job log: %w", err)
		}
		s.cancel(nil)
		s.release()
	})
	return s.err
}
