package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"jobgraph/bench/procs"
)

// Config says what to run.
type Config struct {
	Binary     string   // the jobgraph binary
	Dir        string   // bench/, where the workloads and Mesh's files are
	Workloads  []string // a subset of workloadNames, in order
	Rounds     int      // interleaved rounds: every contender, every workload, each round
	Warmup     int      // runs of each workload by each contender before the rounds
	Sequential int      // runs per block, one after the other, at each latency
	// Throughput is how long each block of concurrent runs at 0 ms lasts.
	Throughput  time.Duration
	Concurrency int
	Latency     time.Duration // gitlabsim's, for the latency blocks
	Mesh        MeshConfig
	Log         io.Writer // progress
}

// Figures of one contender on one workload; the per-round lists hold one
// value per round, for ranges.
type Figures struct {
	Workload  string `json:"workload"`
	Contender string `json:"contender"`
	// Calls is GitLab's requests for one run, by route.
	Calls      map[string]int64 `json:"calls"`
	TotalCalls int64            `json:"total_calls"`
	P50Slow    []float64        `json:"p50_ms_at_latency"`
	P90Slow    []float64        `json:"p90_ms_at_latency"`
	P50Fast    []float64        `json:"p50_ms_at_0ms"`
	Throughput []float64        `json:"throughput_per_s"`
	// CPU is the contender's process's CPU ms per run, over its 0 ms blocks.
	CPU []float64 `json:"cpu_ms_per_run"`
	// PeakRSS is the process's VmHWM after the whole run, MiB; 0 for the REST
	// client, which runs inside the harness.
	PeakRSS float64 `json:"peak_rss_mib"`
}

// Results is a whole run.
type Results struct {
	Started     time.Time         `json:"started"`
	Machine     string            `json:"machine"`
	Command     string            `json:"command"`
	Latency     string            `json:"latency"`
	Rounds      int               `json:"rounds"`
	Sequential  int               `json:"sequential_runs_per_block"`
	Throughput  string            `json:"throughput_block"`
	Concurrency int               `json:"concurrency"`
	Contenders  []string          `json:"contenders"`
	Skipped     map[string]string `json:"skipped,omitempty"` // contender: why
	Figures     []*Figures        `json:"figures"`
}

// Find returns a contender's figures on a workload, nil when it has none.
func (r *Results) Find(workload, contender string) *Figures {
	for _, f := range r.Figures {
		if f.Workload == workload && f.Contender == contender {
			return f
		}
	}
	return nil
}

// Run starts gitlabsim, jobgraph and the contenders, measures, and stops
// them.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	logf := func(format string, args ...any) { fmt.Fprintf(cfg.Log, format+"\n", args...) }
	sim, err := procs.Start(ctx, cfg.Binary, []string{"sim", "--listen", "127.0.0.1:0", "--live=false", "--latency", "0s"}, procs.SimAddress, "")
	if err != nil {
		return nil, fmt.Errorf("starting gitlabsim: %w", err)
	}
	defer sim.Stop()
	client := newHTTPClient()
	simControl := &control{url: sim.URL, client: client}

	res := &Results{
		Started: time.Now().UTC(), Machine: machine(), Latency: cfg.Latency.String(), Rounds: cfg.Rounds,
		Sequential: cfg.Sequential, Throughput: cfg.Throughput.String(), Concurrency: cfg.Concurrency,
		Skipped: map[string]string{},
	}
	docs, err := loadDocuments(filepath.Join(cfg.Dir, "workloads"), cfg.Workloads)
	if err != nil {
		return nil, err
	}
	var contenders []*contender
	for _, c := range []struct {
		name  string
		flags []string
	}{{nameJobgraph, nil}, {nameNaive, []string{"--naive-loaders"}}} {
		gw, err := procs.Start(ctx, cfg.Binary, append([]string{"--listen", "127.0.0.1:0", "--gitlab-url", sim.URL}, c.flags...), procs.GatewayAddress, "")
		if err != nil {
			return nil, fmt.Errorf("starting %s: %w", c.name, err)
		}
		defer gw.Stop()
		g := &graphQL{url: gw.URL + "/graphql", client: client, docs: docs}
		contenders = append(contenders, &contender{name: c.name, ops: jobgraphOps(g), cpu: processCPU(gw), peakRSS: processRSS(gw)})
	}
	rest := &restClient{api: sim.URL + "/api/v4", client: newHTTPClient()}
	contenders = slices.Insert(contenders, 1, &contender{name: nameREST, ops: rest.ops(), cpu: ownCPU, peakRSS: func() float64 { return 0 }})
	if cfg.Mesh.Enabled {
		mesh, stopMesh, err := startMesh(ctx, cfg.Mesh, filepath.Join(cfg.Dir, "mesh"), sim.URL, logf)
		switch {
		case err != nil:
			res.Skipped[nameMesh] = err.Error()
			logf("mesh: skipped: %v", err)
		default:
			defer stopMesh()
			mdocs, err := loadDocuments(filepath.Join(cfg.Dir, "workloads", "mesh"), cfg.Workloads)
			if err != nil {
				return nil, err
			}
			g := &graphQL{url: mesh.URL + "/graphql", client: client, docs: mdocs}
			ops := meshOps(g)
			maps.DeleteFunc(ops, func(w string, _ op) bool { _, ok := mdocs[w]; return !ok })
			contenders = append(contenders, &contender{name: nameMesh, ops: ops, cpu: processCPU(mesh), peakRSS: processRSS(mesh)})
		}
	} else if cfg.Mesh.Reason != "" {
		res.Skipped[nameMesh] = cfg.Mesh.Reason
	}
	for _, c := range contenders {
		res.Contenders = append(res.Contenders, c.name)
	}

	figures := map[[2]string]*Figures{}
	for _, w := range cfg.Workloads {
		for _, c := range contenders {
			if c.ops[w] != nil {
				f := &Figures{Workload: w, Contender: c.name}
				figures[[2]string{w, c.name}] = f
				res.Figures = append(res.Figures, f)
			}
		}
	}

	// each calls block for every workload and every contender that runs it,
	// contenders in order; an error names both.
	each := func(order []*contender, block func(w string, c *contender, o op, f *Figures) error) error {
		for _, w := range cfg.Workloads {
			for _, c := range order {
				if f := figures[[2]string{w, c.name}]; f != nil {
					if err := block(w, c, c.ops[w], f); err != nil {
						return fmt.Errorf("%s on %s: %w", c.name, w, err)
					}
				}
			}
		}
		return nil
	}

	// Upstream calls, one verified run each, alone on gitlabsim; then warm-up.
	logf("upstream calls and warm-up")
	err = each(contenders, func(w string, c *contender, o op, f *Figures) error {
		if err := simControl.reset(ctx); err != nil {
			return err
		}
		if err := o(ctx, true); err != nil {
			return err
		}
		calls, err := simControl.stats(ctx)
		if err != nil {
			return err
		}
		f.Calls = calls
		for _, n := range calls {
			f.TotalCalls += n
		}
		_, err = sequential(ctx, o, cfg.Warmup)
		return err
	})
	if err != nil {
		return nil, err
	}

	for round := range cfg.Rounds {
		// Each round starts with another contender, so none always runs
		// first after a latency change.
		order := append(slices.Clone(contenders[round%len(contenders):]), contenders[:round%len(contenders)]...)
		logf("round %d/%d: latency %s", round+1, cfg.Rounds, cfg.Latency)
		if err := simControl.latency(ctx, cfg.Latency); err != nil {
			return nil, err
		}
		err := each(order, func(w string, c *contender, o op, f *Figures) error {
			took, err := sequential(ctx, o, cfg.Sequential)
			if err != nil {
				return err
			}
			f.P50Slow = append(f.P50Slow, percentile(took, 50))
			f.P90Slow = append(f.P90Slow, percentile(took, 90))
			return nil
		})
		if err != nil {
			return nil, err
		}
		logf("round %d/%d: latency 0s", round+1, cfg.Rounds)
		if err := simControl.latency(ctx, 0); err != nil {
			return nil, err
		}
		err = each(order, func(w string, c *contender, o op, f *Figures) error {
			before, err := c.cpu()
			if err != nil {
				return err
			}
			took, err := sequential(ctx, o, cfg.Sequential)
			if err != nil {
				return err
			}
			runs, elapsed, err := concurrent(ctx, o, cfg.Concurrency, cfg.Throughput)
			if err != nil {
				return fmt.Errorf("at concurrency %d: %w", cfg.Concurrency, err)
			}
			after, err := c.cpu()
			if err != nil {
				return err
			}
			f.P50Fast = append(f.P50Fast, percentile(took, 50))
			f.Throughput = append(f.Throughput, float64(runs)/elapsed.Seconds())
			f.CPU = append(f.CPU, milliseconds(after-before)/float64(runs+len(took)))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err = each(contenders, func(_ string, c *contender, _ op, f *Figures) error {
		f.PeakRSS = c.peakRSS()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sequential runs o n times, one after the other, and returns each run's time.
func sequential(ctx context.Context, o op, n int) ([]time.Duration, error) {
	took := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := o(ctx, false); err != nil {
			return nil, err
		}
		took = append(took, time.Since(start))
	}
	return took, nil
}

// concurrent runs o from workers callers for d, each caller finishing the
// run it started, and returns the runs and the time they took.
func concurrent(ctx context.Context, o op, workers int, d time.Duration) (int, time.Duration, error) {
	var (
		mu   sync.Mutex
		runs int
		errs []error
		wg   sync.WaitGroup
	)
	start := time.Now()
	stopAt := start.Add(d)
	for range workers {
		wg.Go(func() {
			for time.Now().Before(stopAt) {
				err := o(ctx, false)
				mu.Lock()
				runs++
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return runs, time.Since(start), errors.Join(errs...)
}

func percentile(took []time.Duration, p int) float64 {
	s := slices.Clone(took)
	slices.Sort(s)
	return milliseconds(s[min((len(s)*p+99)/100, len(s))-1])
}

func milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// control speaks to gitlabsim's /_sim/ endpoints.
type control struct {
	url    string
	client *http.Client
}

func (c *control) do(ctx context.Context, method, path string, body any, v any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, r)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	if v != nil {
		return json.NewDecoder(resp.Body).Decode(v)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func (c *control) reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_sim/reset", nil, nil)
}

func (c *control) stats(ctx context.Context) (map[string]int64, error) {
	var s map[string]int64
	return s, c.do(ctx, http.MethodGet, "/_sim/stats", nil, &s)
}

func (c *control) latency(ctx context.Context, d time.Duration) error {
	return c.do(ctx, http.MethodPut, "/_sim/latency", map[string]string{"fixed": d.String()}, nil)
}

// machine describes the machine the run is on: CPU model, cores, kernel.
func machine() string {
	model, cores := "unknown CPU", 0
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range bytes.Lines(info) {
			if k, v, ok := bytes.Cut(line, []byte(":")); ok && string(bytes.TrimSpace(k)) == "model name" {
				model = string(bytes.TrimSpace(v))
				cores++
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("%s, %d cores, Linux %s", model, cores, bytes.TrimSpace(kernel))
}
