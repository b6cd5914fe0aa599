package loader

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func operation() context.Context {
	return With(context.Background(), New(nil))
}

// A caller that gives up does not fail the others waiting on the same call.
func TestSharedSurvivesTheFirstCallersCancellation(t *testing.T) {
	op := operation()
	first, cancel := context.WithCancel(op)
	started, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	fetch := func(ctx context.Context) (int, error) {
		calls.Add(1)
		close(started)
		<-release
		return 42, ctx.Err()
	}
	firstErr := make(chan error)
	go func() {
		_, err := Shared(first, "k", fetch)
		firstErr <- err
	}()
	<-started
	second := make(chan int)
	go func() {
		v, err := Shared(op, "k", fetch)
		if err != nil {
			t.Errorf("second caller: %v", err)
		}
		second <- v
	}()
	waitForWaiters(t, op, "k", 2)
	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v, want its own cancellation", err)
	}
	close(release)
	if v := <-second; v != 42 || calls.Load() != 1 {
		t.Fatalf("second caller got %d after %d calls, want 42 from one call", v, calls.Load())
	}
}

// waitForWaiters returns once n callers wait on key's shared call.
func waitForWaiters(t *testing.T, op context.Context, key string, n int) {
	t.Helper()
	l := For(op)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		l.mu.Lock()
		call := l.shared[key]
		waiting := call != nil && call.waiters == n
		l.mu.Unlock()
		if waiting {
			return
		}
	}
	t.Fatalf("%d callers never waited on %q", n, key)
}

func TestSharedDoesNotKeepFailures(t *testing.T) {
	op := operation()
	var calls int
	boom := func(context.Context) (int, error) {
		calls++
		panic("boom")
	}
	if _, err := Shared(op, "k", boom); err == nil {
		t.Fatal("a panicking call returned no error")
	}
	fail := func(context.Context) (int, error) { calls++; return 0, errors.New("502") }
	if _, err := Shared(op, "k", fail); err == nil || err.Error() != "502" {
		t.Fatalf("after a panic the key is tried again: %v", err)
	}
	ok := func(context.Context) (int, error) { calls++; return 7, nil }
	if v, err := Shared(op, "k", ok); err != nil || v != 7 {
		t.Fatalf("after a failure the key is tried again: %d %v", v, err)
	}
	if v, _ := Shared(op, "k", fail); v != 7 || calls != 3 {
		t.Fatalf("a success is kept: got %d after %d calls", v, calls)
	}
}

// A call nobody waits for any more is canceled, and the next caller starts
// afresh.
func TestSharedIsCanceledWhenEveryCallerLeaves(t *testing.T) {
	op := operation()
	caller, cancel := context.WithCancel(op)
	started, stopped := make(chan struct{}), make(chan error)
	go func() {
		_, _ = Shared(caller, "k", func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			stopped <- ctx.Err()
			return 0, ctx.Err()
		})
	}()
	<-started
	cancel()
	if err := <-stopped; !errors.Is(err, context.Canceled) {
		t.Fatalf("the abandoned call saw %v, want its cancellation", err)
	}
	v, err := Shared(op, "k", func(context.Context) (int, error) { return 9, nil })
	if err != nil || v != 9 {
		t.Fatalf("after an abandoned call: %d %v, want a fresh call's 9", v, err)
	}
}
