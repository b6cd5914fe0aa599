package joblog

import (
	"strconv"
	"strings"
)

// marker is one of GitLab Runner's section markers:
// section_start:<unix>:<name>[<options>]\r\e[0K, or section_end:<unix>:<name>\r\e[0K
// (Gitlab::Regex.build_trace_section_regex).
type marker struct {
	start   bool
	unix    int64
	name    string
	options string // what the brackets hold, e.g. collapsed=true
	length  int    // bytes the marker takes, terminator included
}

const markerEnd = "\r\x1b[0K"

// matchMarker reports the marker s starts with, if any.
func matchMarker(s string) (marker, bool) {
	var m marker
	rest, ok := strings.CutPrefix(s, "section_")
	if !ok {
		return m, false
	}
	switch {
	case strings.HasPrefix(rest, "start:"):
		m.start, rest = true, rest[len("start:"):]
	case strings.HasPrefix(rest, "end:"):
		rest = rest[len("end:"):]
	default:
		return m, false
	}
	digits := leading(rest, func(c byte) bool { return c >= '0' && c <= '9' })
	if digits == 0 || digits >= len(rest) || rest[digits] != ':' {
		return m, false
	}
	unix, err := strconv.ParseInt(rest[:digits], 10, 64)
	if err != nil {
		return m, false
	}
	m.unix, rest = unix, rest[digits+1:]
	nameLen := leading(rest, isNameByte)
	if nameLen == 0 {
		return m, false
	}
	m.name, rest = rest[:nameLen], rest[nameLen:]
	if strings.HasPrefix(rest, "[") {
		closing := strings.IndexByte(rest, ']')
		if closing < 0 {
			return m, false
		}
		m.options, rest = rest[1:closing], rest[closing+1:]
	}
	if !strings.HasPrefix(rest, markerEnd) {
		return m, false
	}
	m.length = len(s) - len(rest) + len(markerEnd)
	return m, true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

func leading(s string, ok func(byte) bool) int {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return n
}

// collapsed reports whether a section's options ask for it to start collapsed.
func (m marker) collapsed() bool {
	for opt := range strings.SplitSeq(m.options, ",") {
		if strings.TrimSpace(opt) == "collapsed=true" {
			return true
		}
	}
	return false
}
