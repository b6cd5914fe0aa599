package main

import (
	"context"
	"testing"
	"time"

	"jobgraph/bench/procs"
)

// TestShortLoadUnderFaults runs a short load through injected faults and
// fails on any answer a client must never see. It measures nothing; the
// figures come from `go run ./bench/loadrun`.
func TestShortLoadUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs jobgraph as processes")
	}
	ctx := context.Background()
	binary, err := procs.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	report, err := Run(ctx, Config{Binary: binary, Concurrency: []int{16}, Duration: 3 * time.Second, Faults: DefaultFaults})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + report.Table())
	if report.Stages[0].Requests == 0 {
		t.Fatal("no request was answered")
	}
	if len(report.Stages[0].FieldErrors) == 0 {
		t.Error("no field failed: the faults were not injected")
	}
	if err := report.Check(); err != nil {
		t.Error(err)
	}
}
