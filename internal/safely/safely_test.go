package safely

import (
	"context"
	"errors"
	"testing"
)

func TestRun(t *testing.T) {
	want := errors.New("failed")
	if err := Run(context.Background(), func() error { return want }); err != want {
		t.Errorf("Run returned %v, want fn's own error", err)
	}
	if err := Run(context.Background(), func() error { return nil }); err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}
	err := Run(context.Background(), func() error {
		var s []int
		_ = s[len(s)-1]
		return nil
	})
	var p *PanicError
	if !errors.As(err, &p) {
		t.Fatalf("Run returned %v, want a *PanicError", err)
	}
	if _, ok := p.Value.(error); !ok {
		t.Errorf("the panic's value %v is not the runtime error", p.Value)
	}
}
