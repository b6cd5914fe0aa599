package gitlabsim

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestTraceFormat(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	tests := []struct {
		job       int64
		empty     bool
		ends      string
		openEnded bool
	}{
		{job: JobFailed, ends: "ERROR: Job failed: exit code 1\x1b[0;m\n"},
		{job: JobRunning, openEnded: true},
		{job: JobPending, empty: true},
		{job: JobManual, empty: true},
	}
	sectionStart := regexp.MustCompile(`(?m)^section_start:\d{10}:(\w+)\r\x1b\[0K`)
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.job), func(t *testing.T) {
			r := get(t, srv, fmt.Sprintf("/api/v4/projects/1/jobs/%d/trace", tt.job), TokenGuest)
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/plain" {
				t.Fatalf("status %d content-type %q", r.status, r.header.Get("Content-Type"))
			}
			if want := fmt.Sprintf(`infile; filename="%d.log"`, tt.job); r.header.Get("Content-Disposition") != want {
				t.Errorf("Content-Disposition %q, want %q", r.header.Get("Content-Disposition"), want)
			}
			log := string(r.body)
			if tt.empty {
				if log != "" {
					t.Fatalf("log of a job that never ran: %q", log)
				}
				return
			}
			starts := sectionStart.FindAllStringSubmatch(log, -1)
			for _, m := range starts {
				closed := strings.Contains(log, "section_end:") && regexp.MustCompile(`section_end:\d{10}:`+m[1]+"\r\x1b\\[0K").MatchString(log)
				if !closed && !(tt.openEnded && m[1] == "step_script") {
					t.Errorf("section %s never ends", m[1])
				}
			}
			if len(starts) < 3 || !strings.Contains(log, "\x1b[32;1m$ ") {
				t.Errorf("log lacks sections or coloured commands:\n%s", log)
			}
			if tt.ends != "" && !strings.HasSuffix(log, tt.ends) {
				t.Errorf("log ends %q", log[len(log)-60:])
			}
		})
	}
}

func TestTraceOfPrivateJobIsHidden(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	w := newWorld(1)
	j := w.projectByID[ProjectPrivate].Jobs[0]
	r := get(t, srv, fmt.Sprintf("/api/v4/projects/%d/jobs/%d/trace", ProjectPrivate, j.ID), TokenOutsider)
	if r.status != http.StatusNotFound {
		t.Fatalf("status %d", r.status)
	}
}

// countingWriter is an http.ResponseWriter that keeps only a byte count.
type countingWriter struct {
	header http.Header
	n      int64
	every  int64
	next   int64
	peak   uint64
}

func (c *countingWriter) Header() http.Header { return c.header }
func (c *countingWriter) WriteHeader(int)     {}
func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.n >= c.next {
		c.next += c.every
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		c.peak = max(c.peak, ms.HeapAlloc)
	}
	return len(p), nil
}

// TestHugeLogStreamsWithFlatMemory streams the 60 MB log and samples the heap as it
// goes: the heap must not grow with the log.
func TestHugeLogStreamsWithFlatMemory(t *testing.T) {
	sim := New(Options{Seed: 1})
	defer sim.Close()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cw := &countingWriter{header: http.Header{}, every: 4 << 20}
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("/api/v4/projects/1/jobs/%d/trace", JobHugeLog), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("PRIVATE-TOKEN", TokenMaintainer)
	sim.ServeHTTP(cw, req)
	if cw.n < HugeLogBytes {
		t.Fatalf("log is %d bytes, want at least %d", cw.n, HugeLogBytes)
	}
	growth := int64(cw.peak) - int64(before.HeapAlloc)
	t.Logf("streamed %d MB; peak heap growth %d KB", cw.n>>20, growth>>10)
	// A held log would be 60 MB; allow garbage between GCs but nothing log-sized.
	if growth > 16<<20 {
		t.Fatalf("heap grew %d MB while streaming", growth>>20)
	}
}

func BenchmarkHugeLog(b *testing.B) {
	_, srv := newTestServer(b, Options{Seed: 1})
	path := fmt.Sprintf("%s/api/v4/projects/1/jobs/%d/trace", srv.URL, JobHugeLog)
	var ms runtime.MemStats
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("PRIVATE-TOKEN", TokenMaintainer)
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.SetBytes(n)
	}
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-inuse-MB")
}

// GitLab sends the log as one body, so its answer has a Content-Length, and a
// HEAD request (Grape answers HEAD for every GET route) has it without the body.
func TestTraceContentLength(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	small := get(t, srv, fmt.Sprintf("/api/v4/projects/1/jobs/%d/trace", JobFailed), TokenMaintainer)
	if got, want := small.header.Get("Content-Length"), fmt.Sprint(len(small.body)); got != want || len(small.body) == 0 {
		t.Errorf("Content-Length %s, body %s bytes", got, want)
	}
	empty := get(t, srv, fmt.Sprintf("/api/v4/projects/1/jobs/%d/trace", JobPending), TokenMaintainer)
	if got := empty.header.Get("Content-Length"); got != "0" {
		t.Errorf("Content-Length of an empty log %q, want 0", got)
	}
	huge := do(t, srv, http.MethodHead, fmt.Sprintf("/api/v4/projects/1/jobs/%d/trace", JobHugeLog), TokenMaintainer, "")
	var n int64
	if _, err := fmt.Sscan(huge.header.Get("Content-Length"), &n); err != nil || n < HugeLogBytes || len(huge.body) != 0 {
		t.Errorf("HEAD of the huge log: Content-Length %q, %d body bytes", huge.header.Get("Content-Length"), len(huge.body))
	}
}

// A debug log (CI_DEBUG_TRACE) may hold secrets: GitLab shows it only to
// those who may update jobs, while the job itself stays readable.
func TestDebugTraceIsForDevelopers(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	path := fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobWaitingForCallback)
	if r := get(t, srv, path+"/trace", TokenGuest); r.status != http.StatusForbidden || string(r.body) != `{"message":"403 Forbidden"}` {
		t.Errorf("guest: %d %s, want 403", r.status, r.body)
	}
	if r := get(t, srv, path, TokenGuest); r.status != http.StatusOK {
		t.Errorf("guest reading the job: %d, want 200", r.status)
	}
	if r := get(t, srv, path+"/trace", TokenDeveloper); r.status != http.StatusOK || len(r.body) == 0 {
		t.Errorf("developer: %d with %d bytes, want the log", r.status, len(r.body))
	}
}
