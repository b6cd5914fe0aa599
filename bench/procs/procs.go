// Package procs runs the benchmarks' servers as processes on loopback
// (gitlabsim, the gateway, the contenders it is measured against) and reads
// what they cost from /proc: CPU time and peak resident memory.
package procs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Address patterns of the lines jobgraph prints once it listens.
var (
	SimAddress     = regexp.MustCompile(`GitLab REST API at (http://[^ ]+)/api/v4`)
	GatewayAddress = regexp.MustCompile(`GraphiQL at (http://[^ ]+)/ `)
)

// Build compiles the jobgraph command into dir and returns its path.
func Build(ctx context.Context, dir string) (string, error) {
	binary := filepath.Join(dir, "jobgraph")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", binary, "jobgraph").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building jobgraph: %w: %s", err, out)
	}
	return binary, nil
}

// Process is a started server and what it logged.
type Process struct {
	Cmd  *exec.Cmd
	URL  string // the address it printed
	Log  *SyncBuffer
	once sync.Once
}

// Start runs binary with args and waits for the line of its output (stdout
// or stderr) that tells its address, the first submatch of address; dir and
// env, when set, are the process's working folder and extra environment.
// Every line is kept in the process's Log.
func Start(ctx context.Context, binary string, args []string, address *regexp.Regexp, dir string, env ...string) (*Process, error) {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p := &Process{Cmd: cmd, Log: &SyncBuffer{}}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 2)
	scan := func(r io.Reader) {
		scanner := bufio.NewScanner(r)
		for scanner.Scan() {
			line := scanner.Text()
			fmt.Fprintln(p.Log, line)
			if m := address.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}
	go scan(stdout)
	go scan(stderr)
	select {
	case p.URL = <-found:
		return p, nil
	case <-time.After(60 * time.Second):
		p.Stop()
		return nil, fmt.Errorf("%s printed no address in 60s; its log: %s", filepath.Base(binary), p.Log.String())
	}
}

// Pid is the process's id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Stop ends the process with SIGINT, as a terminal would, and waits.
func (p *Process) Stop() {
	p.once.Do(func() {
		_ = p.Cmd.Process.Signal(os.Interrupt)
		_ = p.Cmd.Wait()
	})
}

// SyncBuffer is a bytes.Buffer safe for a writer and a reader.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ResidentMiB reads a size field of /proc/pid/status ("VmHWM:" the peak
// resident set, "VmRSS:" the current one) in MiB; 0 where there is no /proc.
func ResidentMiB(pid int, field string) float64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kib, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kib / 1024
		}
	}
	return 0
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/pid/stat's times;
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// CPUTime is the user and system CPU time pid has used, from
// /proc/pid/stat's utime and stime.
func CPUTime(pid int) (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	fields := strings.Fields(string(stat[end+1:]))
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields)+2)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// RSSWatcher samples a process's resident set while load runs.
type RSSWatcher struct {
	done chan struct{}
	peak chan float64
}

// WatchRSS samples pid's peak resident set every 50 ms until Stop.
func WatchRSS(pid int) *RSSWatcher {
	w := &RSSWatcher{done: make(chan struct{}), peak: make(chan float64, 1)}
	go func() {
		peak := 0.0
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, ResidentMiB(pid, "VmHWM:"))
			select {
			case <-w.done:
				w.peak <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// Stop ends the sampling and returns the peak in MiB.
func (w *RSSWatcher) Stop() float64 {
	close(w.done)
	return <-w.peak
}
