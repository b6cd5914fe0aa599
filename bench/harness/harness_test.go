package main

import (
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jobgraph/bench/procs"
)

// TestQuickRun runs the harness briefly, as bench/run -quick does, and checks
// that every contender produced figures for the workloads it runs and that
// the upstream calls are the ones each workload costs. Timings are only
// printed: on a shared machine they prove nothing. Mesh is measured only
// when an earlier bench/run installed its packages; the test downloads
// nothing.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds jobgraph and runs it, gitlabsim and the contenders as processes")
	}
	ctx := context.Background()
	binary, err := procs.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	modules, err := DefaultMeshModules(dir)
	if err != nil {
		t.Fatal(err)
	}
	mesh := MeshConfig{Enabled: MeshInstalled(modules), Modules: modules}
	if !mesh.Enabled {
		mesh.Reason = "its npm packages are not installed (bench/run installs them)"
	}
	cfg := Config{
		Binary: binary, Dir: dir, Workloads: workloadNames, Rounds: 1, Warmup: 0, Sequential: 1,
		Throughput: 100 * time.Millisecond, Concurrency: 2, Latency: time.Millisecond, Mesh: mesh, Log: io.Discard,
	}
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Table())

	want := map[string]bool{nameJobgraph: true, nameREST: true, nameNaive: true, nameMesh: mesh.Enabled}
	for name, measured := range want {
		if _, skipped := res.Skipped[name]; skipped == measured {
			t.Errorf("%s: skipped %q, want it measured: %t", name, res.Skipped[name], measured)
		}
	}
	for _, w := range workloadNames {
		for _, c := range []string{nameJobgraph, nameREST, nameNaive, nameMesh} {
			f := res.Find(w, c)
			runsIt := want[c] && (c != nameMesh || w != "W5")
			if (f != nil) != runsIt {
				t.Errorf("%s on %s: figures %v, want some: %t", c, w, f, runsIt)
				continue
			}
			if f == nil {
				continue
			}
			if len(f.P50Slow) != 1 || len(f.P90Slow) != 1 || len(f.P50Fast) != 1 || len(f.Throughput) != 1 || len(f.CPU) != 1 || f.TotalCalls == 0 {
				t.Errorf("%s on %s: incomplete figures %+v", c, w, f)
			}
			if c != nameREST && f.PeakRSS == 0 {
				t.Errorf("%s on %s: no peak RSS", c, w)
			}
		}
	}

	// jobgraph makes the calls a careful frontend makes, by route; the naive
	// twin makes one per field on W2 (duration and coverage of every job's
	// pipeline) and as many as jobgraph elsewhere.
	wantTotal := map[string]int64{"W1": 1, "W3": 1 + listPipelines, "W4": walkPages, "W5": 2}
	for _, w := range workloadNames {
		gw, rest, naive := res.Find(w, nameJobgraph), res.Find(w, nameREST), res.Find(w, nameNaive)
		if !maps.Equal(gw.Calls, rest.Calls) {
			t.Errorf("%s: jobgraph called %v, REST by hand %v", w, gw.Calls, rest.Calls)
		}
		if n, ok := wantTotal[w]; ok && gw.TotalCalls != n {
			t.Errorf("%s: jobgraph made %d calls, want %d", w, gw.TotalCalls, n)
		}
		if w == "W2" {
			if pipelines := gw.TotalCalls - 1; pipelines < 2 || naive.TotalCalls != 1+2*listedJobs {
				t.Errorf("W2: jobgraph read %d pipelines, naive made %d calls, want 1 + 2 per job", pipelines, naive.TotalCalls)
			}
		} else if !maps.Equal(naive.Calls, gw.Calls) {
			t.Errorf("%s: naive called %v, jobgraph %v", w, naive.Calls, gw.Calls)
		}
		if m := res.Find(w, nameMesh); m != nil && m.TotalCalls < gw.TotalCalls {
			t.Errorf("%s: Mesh made %d calls, fewer than the %d the data needs", w, m.TotalCalls, gw.TotalCalls)
		}
	}

	out := filepath.Join(t.TempDir(), "results")
	if err := res.WriteJSON(filepath.Join(out, "latest.json")); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(filepath.Join(out, "latest.json"))
	if err != nil || back.Table() != res.Table() {
		t.Fatalf("the results file reads back as %v (%v), want the run's table", back, err)
	}
	if err := back.WritePlot(filepath.Join(out, "latest.png")); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"latest.json", "latest.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
