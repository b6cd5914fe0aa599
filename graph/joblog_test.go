package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
)

type logText struct {
	Text      string `json:"text"`
	PlainText string `json:"plainText"`
	HTML      string `json:"html"`
	FromByte  int64  `json:"fromByte"`
	ToByte    int64  `json:"toByte"`
	Truncated bool   `json:"truncated"`
}

type logAnswer struct {
	Project struct {
		Job *struct {
			Name string `json:"name"`
			Log  *struct {
				SizeBytes *int64  `json:"sizeBytes"`
				Tail      logText `json:"tail"`
				Sections  []struct {
					Name            string   `json:"name"`
					Header          *string  `json:"header"`
					DurationSeconds *float64 `json:"durationSeconds"`
					StartLine       int      `json:"startLine"`
					EndLine         *int     `json:"endLine"`
				} `json:"sections"`
			} `json:"log"`
		} `json:"job"`
	} `json:"project"`
}

const logQuery = `query($p: Int!, $j: Int!) { project(id: $p) { job(id: $j) { name log {
	sizeBytes tail(lines: 3) { text plainText html fromByte toByte truncated }
	sections { name header durationSeconds startLine endLine } } } } }`

func (s *stack) readLog(t testing.TB, token string, job int64) (logAnswer, []gqlError) {
	t.Helper()
	out := s.do(t, token, logQuery, map[string]any{"p": gitlabsim.ProjectDemo, "j": job})
	var got logAnswer
	if err := json.Unmarshal(out.Data, &got); err != nil {
		t.Fatalf("%s: %v", out.Data, err)
	}
	return got, out.Errors
}

// rawLog is the log as GitLab serves it.
func (s *stack) rawLog(t testing.TB, job int64) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v4/projects/1/jobs/%d/trace", s.upstream.URL, job), nil)
	req.Header.Set("PRIVATE-TOKEN", gitlabsim.TokenMaintainer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// The tail, sections and size of a small, ANSI-coloured log come from one
// read of it.
func TestJobLog(t *testing.T) {
	s := newStack(t)
	raw := s.rawLog(t, gitlabsim.JobFailed)
	s.calls()
	got, errs := s.readLog(t, gitlabsim.TokenMaintainer, gitlabsim.JobFailed)
	if len(errs) > 0 {
		t.Fatalf("errors %+v", errs)
	}
	if n := s.calls()["GET /api/v4/projects/:id/jobs/:job_id/trace"]; n != 1 {
		t.Errorf("log read %d times, want once", n)
	}
	log := got.Project.Job.Log
	if log.SizeBytes == nil || *log.SizeBytes != int64(len(raw)) {
		t.Errorf("sizeBytes %v, want %d", log.SizeBytes, len(raw))
	}
	lines := strings.SplitAfter(raw, "\n")
	wantTail := strings.Join(lines[len(lines)-4:], "")
	tail := log.Tail
	if tail.Text != wantTail || tail.ToByte != int64(len(raw)) || tail.FromByte != int64(len(raw)-len(wantTail)) || !tail.Truncated {
		t.Errorf("tail %+v, want the last 3 lines %q", tail, wantTail)
	}
	if !strings.HasSuffix(tail.PlainText, "ERROR: Job failed: exit code 1\n") || strings.Contains(tail.PlainText, "\x1b") || strings.Contains(tail.PlainText, "section_") {
		t.Errorf("plainText %q", tail.PlainText)
	}
	if !strings.Contains(tail.HTML, `<span class="term-fg-l-red term-bold">ERROR: Job failed: exit code 1</span>`) {
		t.Errorf("html %q lacks GitLab's classes for the bold red verdict", tail.HTML)
	}
	names := []string{}
	for _, sec := range log.Sections {
		names = append(names, sec.Name)
		if sec.EndLine == nil || sec.DurationSeconds == nil || sec.StartLine < 1 || *sec.EndLine < sec.StartLine {
			t.Errorf("section %+v is not closed in a finished log", sec)
		}
	}
	if fmt.Sprint(names) != "[prepare_executor get_sources step_script cleanup_file_variables]" {
		t.Errorf("sections %v", names)
	}
	if h := log.Sections[0].Header; h == nil || *h != `Preparing the "docker" executor` {
		t.Errorf("header %v", h)
	}
}

func TestEmptyAndErasedLogs(t *testing.T) {
	s := newStack(t)
	if _, errs := s.mutation(t, gitlabsim.TokenDeveloper, "jobErase", map[string]any{"id": jobGID(gitlabsim.JobFailed)}); len(errs) > 0 {
		t.Fatal(errs)
	}
	for name, job := range map[string]int64{"never ran": gitlabsim.JobPending, "erased": gitlabsim.JobFailed} {
		t.Run(name, func(t *testing.T) {
			got, errs := s.readLog(t, gitlabsim.TokenMaintainer, job)
			if len(errs) > 0 {
				t.Fatalf("errors %+v", errs)
			}
			log := got.Project.Job.Log
			if log.SizeBytes == nil || *log.SizeBytes != 0 || log.Tail != (logText{}) || len(log.Sections) != 0 {
				t.Errorf("log %+v, want an empty one", log)
			}
		})
	}
}

// A debug log is refused to a guest: the log field fails alone.
func TestForbiddenLogFailsTheFieldAlone(t *testing.T) {
	s := newStack(t)
	got, errs := s.readLog(t, gitlabsim.TokenGuest, gitlabsim.JobWaitingForCallback)
	if len(errs) != 1 || errs[0].Extensions["code"] != "FORBIDDEN" || fmt.Sprint(errs[0].Path) != "[project job log]" {
		t.Fatalf("errors %+v, want one FORBIDDEN at project.job.log", errs)
	}
	if got.Project.Job == nil || got.Project.Job.Name != "e2e:device-farm" || got.Project.Job.Log != nil {
		t.Errorf("job %+v, want the job with a null log", got.Project.Job)
	}
}

// A viewer loading more: each range starts where the last one ended, at a
// line, and only the bytes needed are read.
func TestLogRanges(t *testing.T) {
	s := newStack(t)
	raw := s.rawLog(t, gitlabsim.JobFailed)
	var text strings.Builder
	from := int64(0)
	for range 100 {
		var got struct {
			Project struct {
				Job struct {
					Log struct {
						Range logText `json:"range"`
					} `json:"log"`
				} `json:"job"`
			} `json:"project"`
		}
		s.data(t, `query($p: Int!, $j: Int!, $from: Int!) { project(id: $p) { job(id: $j) { log { range(fromByte: $from, maxBytes: 500) { text fromByte toByte truncated } } } } }`,
			map[string]any{"p": gitlabsim.ProjectDemo, "j": gitlabsim.JobFailed, "from": from}, &got)
		r := got.Project.Job.Log.Range
		if r.FromByte != from || !strings.HasSuffix(r.Text, "\n") || r.ToByte-r.FromByte > 500 {
			t.Fatalf("range %+v from %d", r, from)
		}
		text.WriteString(r.Text)
		from = r.ToByte
		if from == int64(len(raw)) {
			break
		}
	}
	if text.String() != raw {
		t.Errorf("the ranges put together are not the log")
	}
}

func TestLogArgumentsAreBounded(t *testing.T) {
	s := newStack(t)
	for _, sel := range []string{"tail(maxBytes: 0) { text }", "tail(lines: 0) { text }", "range(fromByte: -1) { text }", "range(fromByte: 0, maxBytes: 2000000) { text }"} {
		out := s.do(t, gitlabsim.TokenMaintainer, `query($p: Int!, $j: Int!) { project(id: $p) { job(id: $j) { log { `+sel+` } } } }`,
			map[string]any{"p": gitlabsim.ProjectDemo, "j": gitlabsim.JobFailed})
		if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("%s: errors %+v, want BAD_USER_INPUT", sel, out.Errors)
		}
	}
	if n := s.calls()["GET /api/v4/projects/:id/jobs/:job_id/trace"]; n != 0 {
		t.Errorf("%d log reads for refused arguments", n)
	}
}

// heapSampler sits between the gateway and gitlabsim and samples the heap
// every few megabytes of answer that pass: the peak while a log streams.
type heapSampler struct {
	http.ResponseWriter
	written, next int64
	peak          *uint64
	// collect runs the garbage collector before each sample, so that the
	// sample is the heap the process holds, not garbage the collector has
	// not reached yet: how far garbage runs ahead of it depends on how busy
	// the machine is.
	collect bool
}

func (h *heapSampler) Write(p []byte) (int, error) {
	h.written += int64(len(p))
	if h.written >= h.next {
		h.next += 2 << 20
		if h.collect {
			runtime.GC()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		*h.peak = max(*h.peak, ms.HeapAlloc)
	}
	return h.ResponseWriter.Write(p)
}

func (h *heapSampler) Flush() { h.ResponseWriter.(http.Flusher).Flush() }

func sampledStack(t testing.TB, peak *uint64, collect bool) *stack {
	return newStackWith(t, gitlabsim.Options{Seed: 1}, graph.HandlerConfig{}, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(&heapSampler{ResponseWriter: w, peak: peak, collect: collect}, r)
		})
	})
}

// The tail and sections of the 60 MB log stream through bounded buffers:
// the heap grows by far less than the log while the gateway serves them.
func TestHugeLogTailInBoundedMemory(t *testing.T) {
	var peak uint64
	s := sampledStack(t, &peak, true)
	s.data(t, `{ currentUser { username } }`, nil, &struct{}{}) // warm up both servers
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	got, errs := s.readLog(t, gitlabsim.TokenMaintainer, gitlabsim.JobHugeLog)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	log := got.Project.Job.Log
	if log.SizeBytes == nil || *log.SizeBytes < gitlabsim.HugeLogBytes || log.Tail.ToByte != *log.SizeBytes || !log.Tail.Truncated ||
		!strings.HasSuffix(log.Tail.PlainText, "Job succeeded\n") || len(log.Sections) == 0 {
		t.Fatalf("log: size %v, tail %+v, %d sections", log.SizeBytes, log.Tail, len(log.Sections))
	}
	growth := int64(peak) - int64(before.HeapAlloc)
	t.Logf("peak heap growth %.1f MB while serving the tail of a %d MB log", float64(growth)/(1<<20), *log.SizeBytes>>20)
	if growth > 16<<20 {
		t.Errorf("heap grew %d MB, want under 16 MB", growth>>20)
	}
}

// BenchmarkHugeLogTail serves the tail, sections and size of the 60 MB log
// and reports the peak heap growth while it streams.
func BenchmarkHugeLogTail(b *testing.B) {
	var peak uint64
	s := sampledStack(b, &peak, false)
	var growth int64
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		peak = 0
		if _, errs := s.readLog(b, gitlabsim.TokenMaintainer, gitlabsim.JobHugeLog); len(errs) > 0 {
			b.Fatal(errs)
		}
		growth = max(growth, int64(peak)-int64(before.HeapAlloc))
	}
	b.SetBytes(gitlabsim.HugeLogBytes)
	b.ReportMetric(float64(growth)/(1<<20), "peak-heap-growth-MB")
}
