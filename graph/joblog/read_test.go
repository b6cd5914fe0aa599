package joblog

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func numberedLog(lines int) string {
	var b strings.Builder
	for i := 1; i <= lines; i++ {
		fmt.Fprintf(&b, "line %03d\n", i) // 9 bytes a line
	}
	return b.String()
}

func TestTail(t *testing.T) {
	log := numberedLog(100)
	tests := []struct {
		name      string
		tail      Tail
		want      string
		from      int64
		truncated bool
	}{
		{"last lines", Tail{Lines: 2, MaxBytes: 1000}, "line 099\nline 100\n", 882, true},
		{"bytes bind and the cut line is dropped", Tail{Lines: 50, MaxBytes: 22}, "line 099\nline 100\n", 882, true},
		{"whole log", Tail{Lines: 1000, MaxBytes: 1 << 20}, log, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Read(iotest.HalfReader(strings.NewReader(log)), Plan{Tails: []Tail{tt.tail}})
			if err != nil {
				t.Fatal(err)
			}
			w := res.Tails[tt.tail]
			if string(w.Raw) != tt.want || w.From != tt.from || w.To != int64(len(log)) || w.Truncated != tt.truncated {
				t.Errorf("tail %q [%d,%d) truncated %v; want %q from %d truncated %v", w.Raw, w.From, w.To, w.Truncated, tt.want, tt.from, tt.truncated)
			}
			if res.Size != int64(len(log)) {
				t.Errorf("size %d, want %d", res.Size, len(log))
			}
		})
	}
}

func TestTailOfALogWithoutFinalNewline(t *testing.T) {
	res, err := Read(strings.NewReader("a\nb\nrunning"), Plan{Tails: []Tail{{Lines: 2, MaxBytes: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	if w := res.Tails[Tail{Lines: 2, MaxBytes: 100}]; string(w.Raw) != "b\nrunning" || w.From != 2 {
		t.Errorf("tail %q from %d", w.Raw, w.From)
	}
}

func TestRange(t *testing.T) {
	log := numberedLog(10) // 90 bytes
	tests := []struct {
		name      string
		rng       Range
		want      string
		from, to  int64
		truncated bool
	}{
		{"from the start, ending at a line", Range{From: 0, MaxBytes: 22}, "line 001\nline 002\n", 0, 18, true},
		{"to the end", Range{From: 81, MaxBytes: 100}, "line 010\n", 81, 90, true},
		{"all of it", Range{From: 0, MaxBytes: 90}, log, 0, 90, false},
		{"past the end", Range{From: 500, MaxBytes: 10}, "", 90, 90, true},
		{"no newline inside", Range{From: 0, MaxBytes: 4}, "line", 0, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Read(strings.NewReader(log), Plan{Ranges: []Range{tt.rng}})
			if err != nil {
				t.Fatal(err)
			}
			w := res.Ranges[tt.rng]
			if string(w.Raw) != tt.want || w.From != tt.from || w.To != tt.to || w.Truncated != tt.truncated {
				t.Errorf("range %q [%d,%d) truncated %v; want %q [%d,%d) %v", w.Raw, w.From, w.To, w.Truncated, tt.want, tt.from, tt.to, tt.truncated)
			}
		})
	}
}

// countingReader counts what was read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Only ranges asked for: the read stops once they are complete, and does not
// know the size.
func TestRangesStopTheRead(t *testing.T) {
	log := &countingReader{r: strings.NewReader(strings.Repeat("x\n", 1<<20))}
	res, err := Read(log, Plan{Ranges: []Range{{From: 10, MaxBytes: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	if log.n > 2*chunkSize || res.Size != -1 {
		t.Errorf("read %d bytes (size %d) for a range of 100", log.n, res.Size)
	}
}

func TestReadFailure(t *testing.T) {
	cut := errors.New("connection reset")
	_, err := Read(io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(cut)), Plan{Sections: true})
	if !errors.Is(err, cut) {
		t.Errorf("error %v, want the reader's", err)
	}
}

func TestEmptyLog(t *testing.T) {
	plan := Plan{Tails: []Tail{{Lines: 10, MaxBytes: 10}}, Ranges: []Range{{From: 0, MaxBytes: 10}}, Sections: true}
	res, err := Read(strings.NewReader(""), plan)
	if err != nil {
		t.Fatal(err)
	}
	if w := res.Tails[plan.Tails[0]]; len(w.Raw) != 0 || w.From != 0 || w.To != 0 || w.Truncated {
		t.Errorf("tail of an empty log: %+v", w)
	}
	if w := res.Ranges[plan.Ranges[0]]; len(w.Raw) != 0 || w.Truncated {
		t.Errorf("range of an empty log: %+v", w)
	}
	if res.Size != 0 || len(res.Sections) != 0 {
		t.Errorf("size %d, sections %v", res.Size, res.Sections)
	}
}
