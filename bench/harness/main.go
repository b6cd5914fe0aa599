// Command harness measures jobgraph side by side with what a team would use
// instead: the REST calls a careful frontend makes by hand, jobgraph's own
// naive N+1 twin (--naive-loaders), and GraphQL Mesh (Hive Gateway over an
// OpenAPI description of the same routes). It starts gitlabsim and every
// gateway as processes on loopback, runs the workloads of bench/workloads
// interleaved (each contender in turn, round after round, so that the
// machine's noise falls on all alike), and prints a table; it writes the
// figures to bench/results/latest.json and a plot next to them.
//
// Run it from the repository's root as bench/run [flags]; bench/run -h lists
// the flags.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"jobgraph/bench/procs"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("bench/run", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "a few seconds' run that proves the harness works (one round, few runs); its timings mean little")
	rounds := fs.Int("rounds", 3, "interleaved rounds")
	warmup := fs.Int("warmup", 3, "runs of every workload by every contender before the rounds")
	seq := fs.Int("sequential", 10, "runs per contender and workload in each round, one after the other, at each latency")
	throughput := fs.Duration("throughput", 2*time.Second, "length of each concurrent block at 0 ms")
	concurrency := fs.Int("concurrency", 8, "callers of the concurrent blocks")
	latency := fs.Duration("latency", 20*time.Millisecond, "gitlabsim's latency in the latency blocks")
	only := fs.String("workloads", strings.Join(workloadNames, ","), "comma-separated workloads to run")
	mesh := fs.Bool("mesh", true, "measure GraphQL Mesh too (needs Node.js 20 and npm)")
	meshModules := fs.String("mesh-modules", "", "folder for Mesh's npm packages; empty is a temporary folder named after bench/mesh/package-lock.json")
	meshInstall := fs.Bool("mesh-install", true, "npm install Mesh's packages when they are missing")
	binary := fs.String("binary", "", "jobgraph binary; empty builds one")
	dir := fs.String("dir", "bench", "the bench folder: workloads, Mesh's files, results")
	out := fs.String("out", "", "results file; empty is <dir>/results/latest.json")
	plotPath := fs.String("plot", "", "plot file; empty is <dir>/results/latest.png")
	from := fs.String("from", "", "measure nothing: print the table and draw the plot of this results file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg := Config{
		Binary: *binary, Dir: *dir, Rounds: *rounds, Warmup: *warmup, Sequential: *seq, Throughput: *throughput,
		Concurrency: *concurrency, Latency: *latency, Log: os.Stderr,
		Mesh: MeshConfig{Enabled: *mesh, Modules: *meshModules, Install: *meshInstall},
	}
	if *quick {
		cfg.Rounds, cfg.Warmup, cfg.Sequential, cfg.Throughput = 1, 1, 2, 300*time.Millisecond
	}
	for _, w := range strings.Split(*only, ",") {
		if w = strings.TrimSpace(w); w != "" {
			cfg.Workloads = append(cfg.Workloads, w)
		}
	}
	if *plotPath == "" {
		*plotPath = filepath.Join(*dir, "results", "latest.png")
	}
	if *from != "" {
		results, err := ReadJSON(*from)
		if err == nil {
			fmt.Println(results.Table())
			err = results.WritePlot(*plotPath)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/run:", err)
			return 1
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	results, err := Measure(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/run:", err)
		return 1
	}
	results.Command = strings.Join(append([]string{"bench/run"}, args...), " ")
	fmt.Println(results.Table())
	if *out == "" {
		*out = filepath.Join(*dir, "results", "latest.json")
	}
	if err := results.WriteJSON(*out); err != nil {
		fmt.Fprintln(os.Stderr, "bench/run:", err)
		return 1
	}
	if err := results.WritePlot(*plotPath); err != nil {
		fmt.Fprintln(os.Stderr, "bench/run:", err)
		return 1
	}
	fmt.Printf("results in %s, plot in %s\n", *out, *plotPath)
	return 0
}

// Measure checks cfg, builds jobgraph when no binary is given, finds Mesh's
// packages, and runs.
func Measure(ctx context.Context, cfg Config) (*Results, error) {
	for _, w := range cfg.Workloads {
		if !isWorkload(w) {
			return nil, fmt.Errorf("no workload %q; the workloads are %s", w, strings.Join(workloadNames, ", "))
		}
	}
	if len(cfg.Workloads) == 0 || cfg.Rounds < 1 || cfg.Sequential < 1 || cfg.Concurrency < 1 || cfg.Throughput <= 0 {
		return nil, fmt.Errorf("nothing to measure: workloads %v, %d rounds, %d sequential runs, concurrency %d, throughput %s",
			cfg.Workloads, cfg.Rounds, cfg.Sequential, cfg.Concurrency, cfg.Throughput)
	}
	if cfg.Binary == "" {
		tmp, err := os.MkdirTemp("", "bench-run")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		if cfg.Binary, err = procs.Build(ctx, tmp); err != nil {
			return nil, err
		}
	}
	if cfg.Mesh.Enabled && cfg.Mesh.Modules == "" {
		modules, err := DefaultMeshModules(cfg.Dir)
		if err != nil {
			return nil, err
		}
		cfg.Mesh.Modules = modules
	}
	if !cfg.Mesh.Enabled && cfg.Mesh.Reason == "" {
		cfg.Mesh.Reason = "left out (-mesh=false)"
	}
	return Run(ctx, cfg)
}

func isWorkload(w string) bool {
	for _, n := range workloadNames {
		if n == w {
			return true
		}
	}
	return false
}
