package gitlabsim

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
)

// logShape is what the log generator needs of a job, copied under the world lock so
// a long log streams without holding it.
// It is comparable, so the size of a generated log can be remembered by shape.
type logShape struct {
	id       int64
	name     string
	status   string
	lines    int
	minBytes int64
	started  int64 // unix seconds: the clock of the section markers
	runner   string
}

func shapeOf(j *job) logShape {
	sh := logShape{id: j.ID, name: j.Name, status: j.Status, started: j.StartedAt.Unix()}
	if j.hasLog() {
		sh.lines, sh.minBytes = j.LogLines, j.LogBytes
	}
	if j.Runner != nil {
		sh.runner = j.Runner.Description
	}
	return sh
}

// getTrace serves the raw job log as GitLab does: text/plain, an infile
// Content-Disposition, a Content-Length (GitLab answers with the whole log as
// one body; it honours no Range), and an empty body when the job has no log
// (yet, or erased). A debug log (CI_DEBUG_TRACE) is 403 for callers who may
// not update jobs (BuildPolicy's read_build_trace).
func (s *Sim) getTrace(rc *requestContext) {
	if !rc.authenticated() {
		return
	}
	s.mu.RLock()
	p := s.project(rc)
	var j *job
	if p != nil {
		j = s.build(rc, p)
	}
	if j == nil {
		s.mu.RUnlock()
		return
	}
	if j.DebugTrace && rc.accessLevel(p) < accessDeveloper {
		s.mu.RUnlock()
		forbidden(rc.w, "")
		return
	}
	sh := shapeOf(j)
	s.mu.RUnlock()
	h := rc.w.Header()
	h.Set("Content-Type", "text/plain")
	h.Set("Content-Disposition", `infile; filename="`+strconv.FormatInt(sh.id, 10)+`.log"`)
	h.Set("Content-Length", strconv.FormatInt(s.logSize(sh), 10))
	rc.w.WriteHeader(http.StatusOK)
	if rc.r.Method == http.MethodHead || sh.lines == 0 && sh.minBytes == 0 {
		return
	}
	// The log streams: let the header out now (after any latency) rather than
	// holding the whole log until the handler returns.
	if f, ok := rc.w.(http.Flusher); ok {
		f.Flush()
	}
	bw := bufio.NewWriterSize(rc.w, 64<<10)
	if writeLog(bw, sh) == nil {
		_ = bw.Flush()
	}
}

// logSize is the length of sh's log. Generating a log is the only way to
// measure it, so the size of a padded (huge) log is remembered by shape;
// small logs are measured each time, which keeps the memory bounded while the
// live clock grows running logs.
func (s *Sim) logSize(sh logShape) int64 {
	if sh.lines == 0 && sh.minBytes == 0 {
		return 0
	}
	if sh.minBytes == 0 {
		return measureLog(sh)
	}
	s.logSizesMu.Lock()
	defer s.logSizesMu.Unlock()
	n, ok := s.logSizes[sh]
	if !ok {
		n = measureLog(sh)
		s.logSizes[sh] = n
	}
	return n
}

func measureLog(sh logShape) int64 {
	var c byteCounter
	_ = writeLog(&c, sh)
	return int64(c)
}

// byteCounter counts what is written to it.
type byteCounter int64

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}

const (
	ansiReset = "\x1b[0;m"
	ansiClear = "\x1b[0K"
	ansiCyan  = "\x1b[36;1m"
	ansiGreen = "\x1b[32;1m"
	ansiRed   = "\x1b[31;1m"
)

// logWriter appends into one reused buffer so a 60 MB log costs a few kilobytes.
type logWriter struct {
	w     io.Writer
	buf   []byte
	n     int64
	clock int64
	err   error
}

func (lw *logWriter) flush() {
	if lw.err != nil || len(lw.buf) == 0 {
		return
	}
	var m int
	m, lw.err = lw.w.Write(lw.buf)
	lw.n += int64(m)
	lw.buf = lw.buf[:0]
}

func (lw *logWriter) line(parts ...string) {
	for _, p := range parts {
		lw.buf = append(lw.buf, p...)
	}
	lw.buf = append(lw.buf, '\n')
	if len(lw.buf) > 16<<10 {
		lw.flush()
	}
}

// section writes the runner's collapsible-section markers around body.
func (lw *logWriter) section(name, header string, seconds int64, body func()) {
	lw.sectionStart(name, header)
	body()
	lw.clock += seconds
	lw.sectionEnd(name)
}

func (lw *logWriter) sectionStart(name, header string) {
	lw.buf = append(lw.buf, "section_start:"...)
	lw.buf = strconv.AppendInt(lw.buf, lw.clock, 10)
	lw.line(":", name, "\r", ansiClear, ansiClear, ansiCyan, header, ansiReset)
}

func (lw *logWriter) sectionEnd(name string) {
	lw.buf = append(lw.buf, "section_end:"...)
	lw.buf = strconv.AppendInt(lw.buf, lw.clock, 10)
	lw.line(":", name, "\r", ansiClear)
}

var scriptOutput = []string{
	"\x1b[32m.\x1b[0m\x1b[32m.\x1b[0m\x1b[32m.\x1b[0m\x1b[33m*\x1b[0m\x1b[32m.\x1b[0m",
	"Compiling app/models/ci/build.rb",
	"  Fetching gem metadata from https://rubygems.org/..........",
	"webpack 5.94.0 compiled \x1b[1m\x1b[32msuccessfully\x1b[39m\x1b[22m in 4213 ms",
	"\x1b[1mInstalling\x1b[0m rack 3.1.8",
	"I, [2026-01-15T11:40:02.114Z #1]  INFO -- : Migrating to AddIndexOnBuilds (20260110120000)",
	"  \x1b[36mCache hit\x1b[0m for key ruby-3.3-gems-1f0e",
}

// writeLog generates a job log deterministically from its shape: GitLab Runner's
// header, sections with section_start/section_end markers, coloured script output,
// and the closing verdict. A running job's log stops mid-script.
func writeLog(w io.Writer, sh logShape) error {
	lw := &logWriter{w: w, buf: make([]byte, 0, 20<<10), clock: sh.started}
	lw.line(ansiClear, "Running with gitlab-runner 17.6.0 (374d34fd)", ansiReset)
	lw.line(ansiClear, "  on ", sh.runner, " t3_xYz9k, system ID: s_7b4c2f0e9a11", ansiReset)
	lw.section("prepare_executor", `Preparing the "docker" executor`, 3, func() {
		lw.line(ansiClear, "Using Docker executor with image ruby:3.3 ...", ansiReset)
		lw.line(ansiClear, "Pulling docker image ruby:3.3 ...", ansiReset)
	})
	lw.section("get_sources", "Getting source from Git repository", 2, func() {
		lw.line(ansiGreen, "Fetching changes with git depth set to 20...", ansiReset)
		lw.line("Initialized empty Git repository in /builds/demo/.git/")
	})
	lw.sectionStart("step_script", `Executing "step_script" stage of the job script`)
	lw.line(ansiGreen, "$ ", commandFor(sh.name), ansiReset)
	x := uint64(sh.id)*0x9E3779B97F4A7C15 | 1
	for i := 0; i < sh.lines || lw.n+int64(len(lw.buf)) < sh.minBytes; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		lw.buf = append(lw.buf, '[')
		lw.buf = strconv.AppendInt(lw.buf, int64(i+1), 10)
		lw.line("] ", scriptOutput[x%uint64(len(scriptOutput))])
		if lw.err != nil {
			return lw.err
		}
	}
	if sh.status == "running" || sh.status == "canceling" {
		lw.flush()
		return lw.err
	}
	lw.clock += int64(sh.lines / 4)
	lw.sectionEnd("step_script")
	switch sh.status {
	case "success":
		lw.section("upload_artifacts_on_success", "Uploading artifacts for successful job", 1, func() {
			lw.line(ansiGreen, "Uploading artifacts...", ansiReset)
		})
		lw.section("cleanup_file_variables", "Cleaning up project directory and file based variables", 0, func() {})
		lw.line(ansiClear, ansiGreen, "Job succeeded", ansiReset)
	case "failed":
		lw.section("cleanup_file_variables", "Cleaning up project directory and file based variables", 0, func() {})
		lw.line(ansiClear, ansiRed, "ERROR: Job failed: exit code 1", ansiReset)
	case "canceled":
		lw.line(ansiClear, ansiRed, "ERROR: Job failed: canceled", ansiReset)
	}
	lw.flush()
	return lw.err
}

func commandFor(name string) string {
	switch name {
	case "compile":
		return "bundle exec rake assets:precompile"
	case "lint":
		return "bundle exec rubocop --parallel"
	case "jest":
		return "yarn jest --ci"
	case "rspec 1/2", "rspec 2/2":
		return "bundle exec rspec --format progress"
	}
	return "./scripts/" + name + ".sh"
}
