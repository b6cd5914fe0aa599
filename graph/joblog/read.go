package joblog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Tail asks for the last Lines lines of a log, at most MaxBytes of them.
type Tail struct {
	Lines    int
	MaxBytes int
}

// Range asks for at most MaxBytes of a log from byte From on.
type Range struct {
	From     int64
	MaxBytes int
}

// Plan is everything one read of a log collects.
type Plan struct {
	Tails    []Tail
	Ranges   []Range
	Sections bool
}

// Window is a piece of the log and where it sits in it.
type Window struct {
	Raw []byte
	// From and To are the byte offsets of Raw in the whole log.
	From, To int64
	// Truncated says the log holds bytes outside the window.
	Truncated bool
}

// Result is what one read collected.
type Result struct {
	Tails    map[Tail]Window
	Ranges   map[Range]Window
	Sections []Section
	// Size is the log's length when the read reached its end, else -1.
	Size int64
}

// chunkSize is how much of the log is read at a time.
const chunkSize = 32 << 10

// Read reads log once for everything plan asks, holding no more than the
// windows asked for (plus one chunk): each tail is kept in a ring of its
// MaxBytes, each range as it passes. It stops early when only ranges are
// asked for and they are complete.
func Read(log io.Reader, plan Plan) (Result, error) {
	tails := make([]*ring, len(plan.Tails))
	for i, t := range plan.Tails {
		tails[i] = newRing(t.MaxBytes)
	}
	ranges := make([]*rangeCollector, len(plan.Ranges))
	for i, r := range plan.Ranges {
		ranges[i] = &rangeCollector{want: r}
	}
	var sections *sectionScanner
	if plan.Sections {
		sections = newSectionScanner()
	}
	needsAll := len(tails) > 0 || sections != nil
	buf := make([]byte, chunkSize)
	var off int64
	atEnd := false
	for !atEnd {
		if !needsAll && allDone(ranges, off) {
			break
		}
		n, err := log.Read(buf)
		chunk := buf[:n]
		for _, t := range tails {
			t.write(chunk)
		}
		for _, r := range ranges {
			r.write(off, chunk)
		}
		if sections != nil {
			_, _ = sections.Write(chunk)
		}
		off += int64(n)
		switch {
		case errors.Is(err, io.EOF):
			atEnd = true
		case err != nil:
			return Result{}, fmt.Errorf("reading the job log at byte %d: %w", off, err)
		}
	}
	res := Result{Tails: map[Tail]Window{}, Ranges: map[Range]Window{}, Size: -1}
	if atEnd {
		res.Size = off
	}
	for i, t := range plan.Tails {
		res.Tails[t] = tails[i].tail(t.Lines)
	}
	for i, r := range plan.Ranges {
		res.Ranges[r] = ranges[i].window(off)
	}
	if sections != nil {
		res.Sections = sections.finish()
	}
	return res, nil
}

func allDone(ranges []*rangeCollector, off int64) bool {
	for _, r := range ranges {
		if !r.done(off) {
			return false
		}
	}
	return true
}

// ring keeps the last max bytes written to it.
type ring struct {
	buf   []byte
	next  int   // where the next byte goes once buf is full
	total int64 // bytes written in all
}

func newRing(max int) *ring { return &ring{buf: make([]byte, 0, max)} }

func (r *ring) write(p []byte) {
	r.total += int64(len(p))
	capacity := cap(r.buf)
	if len(p) >= capacity {
		r.buf = append(r.buf[:0], p[len(p)-capacity:]...)
		r.next = 0
		return
	}
	if room := capacity - len(r.buf); room > 0 {
		take := min(room, len(p))
		r.buf = append(r.buf, p[:take]...)
		p = p[take:]
	}
	for len(p) > 0 {
		n := copy(r.buf[r.next:], p)
		r.next = (r.next + n) % capacity
		p = p[n:]
	}
}

// tail is the window of the last lines lines held. When the ring dropped
// bytes, a partial first line is dropped too, so the window starts at a line
// (unless a single line fills it).
func (r *ring) tail(lines int) Window {
	data := append(append([]byte(nil), r.buf[r.next:]...), r.buf[:r.next]...)
	from := r.total - int64(len(data))
	start := startOfLastLines(data, lines)
	if start == 0 && from > 0 {
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 && nl < len(data)-1 {
			start = nl + 1
		}
	}
	from += int64(start)
	return Window{Raw: data[start:], From: from, To: r.total, Truncated: from > 0}
}

// startOfLastLines finds where the last n lines of data begin; a final
// newline ends the last line rather than starting an empty one.
func startOfLastLines(data []byte, n int) int {
	end := len(data)
	if end > 0 && data[end-1] == '\n' {
		end--
	}
	for i := end - 1; i >= 0; i-- {
		if data[i] == '\n' {
			n--
			if n == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// rangeCollector keeps the bytes of one Range as the log passes, and one
// byte beyond it, which tells whether the log goes on.
type rangeCollector struct {
	want Range
	data []byte
}

func (c *rangeCollector) write(off int64, p []byte) {
	lo := max(c.want.From, off)
	hi := min(c.want.From+int64(c.want.MaxBytes)+1, off+int64(len(p)))
	if lo < hi {
		c.data = append(c.data, p[lo-off:hi-off]...)
	}
}

func (c *rangeCollector) done(off int64) bool {
	return off > c.want.From+int64(c.want.MaxBytes)
}

// window is the range as read. A range that does not reach the end of the
// log ends after its last newline, when it holds one, so that the next range
// (from this one's To) starts at a line and no character or escape sequence
// is cut between two of them.
// read is how far the log was read: to its end unless the range is complete.
func (c *rangeCollector) window(read int64) Window {
	data := c.data
	more := len(data) > c.want.MaxBytes
	if more {
		data = data[:c.want.MaxBytes]
		if nl := bytes.LastIndexByte(data, '\n'); nl >= 0 {
			data = data[:nl+1]
		}
	}
	from := min(c.want.From, read)
	to := from + int64(len(data))
	return Window{Raw: data, From: from, To: to, Truncated: from > 0 || more}
}
