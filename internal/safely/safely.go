// Package safely runs the gateway's own concurrent work so that a panic in
// it fails the work, not the process: a panic in a goroutine nobody recovers
// kills every request the gateway serves, and gqlgen and dataloader recover
// only the goroutines they start themselves.
package safely

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
)

// PanicError is the error of work that panicked.
type PanicError struct {
	Value any
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Run calls fn and returns its error, or a *PanicError when it panics, after
// logging the panic with its stack. Every goroutine the gateway starts runs
// its work through Run, so that the error reaches the field that needed it.
func Run(ctx context.Context, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			slog.ErrorContext(ctx, "recovered a panic", "panic", v, "stack", string(debug.Stack()))
			err = &PanicError{Value: v}
		}
	}()
	return fn()
}
