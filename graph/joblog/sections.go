package joblog

import (
	"bytes"
	"strings"
	"time"
)

// Section is one collapsible section of a log.
type Section struct {
	Name string
	// Header is the plain text that follows the start marker on its line.
	Header    string
	StartedAt time.Time
	// EndedAt is zero while the section has not ended.
	EndedAt time.Time
	// StartLine and EndLine are 1-based line numbers in the whole log; EndLine
	// is 0 while the section has not ended.
	StartLine int
	EndLine   int
	Collapsed bool
}

// Duration is how long the section took, by its markers' clocks; false while
// it has not ended.
func (s Section) Duration() (time.Duration, bool) {
	if s.EndLine == 0 {
		return 0, false
	}
	return s.EndedAt.Sub(s.StartedAt), true
}

// Limits of section parsing: markers are read in the first maxMarkerLine
// bytes of each line (GitLab Runner writes them at the start of a line), and
// at most maxSections sections are kept, so a log's sections cost bounded
// memory however it is written.
const (
	maxMarkerLine = 4 << 10
	maxSections   = 10000
)

// sectionScanner finds sections in a log written to it in pieces.
type sectionScanner struct {
	line     int    // 1-based number of the line being read
	head     []byte // the line's first maxMarkerLine bytes
	sections []Section
	open     []int // indexes into sections of the open ones, innermost last
}

func newSectionScanner() *sectionScanner {
	return &sectionScanner{line: 1, head: make([]byte, 0, maxMarkerLine)}
}

func (s *sectionScanner) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		nl := bytes.IndexByte(p, '\n')
		chunk := p
		if nl >= 0 {
			chunk = p[:nl]
		}
		if room := maxMarkerLine - len(s.head); room > 0 {
			s.head = append(s.head, chunk[:min(room, len(chunk))]...)
		}
		if nl < 0 {
			break
		}
		s.endLine()
		p = p[nl+1:]
	}
	return n, nil
}

// endLine reads the markers of the line just finished.
func (s *sectionScanner) endLine() {
	if bytes.Contains(s.head, []byte("section_")) {
		s.readMarkers(string(s.head))
	}
	s.head = s.head[:0]
	s.line++
}

// finish reads a last line that has no newline, and returns the sections.
func (s *sectionScanner) finish() []Section {
	if len(s.head) > 0 {
		s.readMarkers(string(s.head))
	}
	return s.sections
}

// readMarkers follows GitLab's renderer: a start of a section already open
// is ignored, and an end closes every section opened after the one it names.
func (s *sectionScanner) readMarkers(line string) {
	for i := 0; i < len(line); i++ {
		m, ok := matchMarker(line[i:])
		if !ok {
			continue
		}
		i += m.length - 1
		if m.start {
			s.start(m, headerOf(line[i+1:]))
		} else {
			s.end(m)
		}
	}
}

func (s *sectionScanner) start(m marker, header string) {
	for _, k := range s.open {
		if s.sections[k].Name == m.name {
			return
		}
	}
	if len(s.sections) == maxSections {
		return
	}
	s.open = append(s.open, len(s.sections))
	s.sections = append(s.sections, Section{
		Name: m.name, Header: header, StartedAt: time.Unix(m.unix, 0).UTC(),
		StartLine: s.line, Collapsed: m.collapsed(),
	})
}

func (s *sectionScanner) end(m marker) {
	named := false
	for _, k := range s.open {
		named = named || s.sections[k].Name == m.name
	}
	for named && len(s.open) > 0 {
		k := s.open[len(s.open)-1]
		s.open = s.open[:len(s.open)-1]
		s.sections[k].EndedAt, s.sections[k].EndLine = time.Unix(m.unix, 0).UTC(), s.line
		if s.sections[k].Name == m.name {
			return
		}
	}
}

// headerOf is the plain text after a start marker, up to the next marker.
func headerOf(rest string) string {
	if next := strings.Index(rest, "section_"); next >= 0 {
		if _, ok := matchMarker(rest[next:]); ok {
			rest = rest[:next]
		}
	}
	return strings.TrimSpace(Render([]byte(rest)).Plain)
}
