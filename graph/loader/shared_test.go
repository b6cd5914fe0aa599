package loader

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
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
	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v, want its own cancellation", err)
	}
	close(release)
	if v := <-second; v != 42 || calls.Load() != 1 {
		t.Fatalf("second caller got %d after %d calls, want 42 from one call", v, calls.Load())
	}
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
