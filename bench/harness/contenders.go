package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"jobgraph/bench/procs"
	"jobgraph/gitlabsim"
)

// op is one run of a workload by a contender; verify checks the whole
// answer, which the timed runs skip.
type op func(ctx context.Context, verify bool) error

// contender is one way of answering the workloads.
type contender struct {
	name string
	ops  map[string]op // by workload; a missing one is not supported
	// cpu is the CPU time the contender's process has used so far.
	cpu func() (time.Duration, error)
	// peakRSS is the contender's peak resident set in MiB; 0 when it has
	// no process of its own.
	peakRSS func() float64
}

// Contender names, in the table's order.
const (
	nameJobgraph = "jobgraph"
	nameREST     = "rest"
	nameNaive    = "naive"
	nameMesh     = "mesh"
)

// token is the caller every contender sends: the seeded maintainer.
const token = gitlabsim.TokenMaintainer

func newHTTPClient() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: transport, Timeout: 2 * time.Minute}
}

// processCPU reads a process's CPU time from /proc.
func processCPU(p *procs.Process) func() (time.Duration, error) {
	return func() (time.Duration, error) { return procs.CPUTime(p.Pid()) }
}

func processRSS(p *procs.Process) func() float64 {
	return func() float64 { return procs.ResidentMiB(p.Pid(), "VmHWM:") }
}

// ownCPU is this process's CPU time, from getrusage: the REST client runs
// in the harness, alone while its blocks run.
func ownCPU() (time.Duration, error) {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0, err
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()), nil
}

// graphQL posts documents to a GraphQL endpoint.
type graphQL struct {
	url    string
	client *http.Client
	docs   map[string]string // by workload
}

// loadDocuments reads the workloads' documents from dir, WN.graphql each.
func loadDocuments(dir string, names []string) (map[string]string, error) {
	docs := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n+".graphql"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		docs[n] = string(b)
	}
	return docs, nil
}

// answer is a GraphQL response.
type answer struct {
	Data   json.RawMessage   `json:"data"`
	Errors []json.RawMessage `json:"errors"`
}

// query sends workload's document with vars and returns the answer's data;
// GraphQL errors fail it.
func (g *graphQL) query(ctx context.Context, workload string, vars map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": g.docs[workload], "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: status %d: %.300s", workload, resp.StatusCode, raw)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%s: not a GraphQL answer: %w: %.300s", workload, err, raw)
	}
	if len(a.Errors) > 0 {
		return nil, fmt.Errorf("%s: errors %s", workload, a.Errors[0])
	}
	return a.Data, nil
}
