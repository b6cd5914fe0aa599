package restclient

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzProjectPath proves that no project id reaches another route: the id
// always fills exactly one path segment below /api/v4/projects/, decodes back
// to itself, and adds nothing to the query.
func FuzzProjectPath(f *testing.F) {
	for _, seed := range []string{"42", "group/sub/proj", "1/../../users", "..", ".", "a?b=c", "a#frag", "%2e%2e", "%", "a%2Fb", "a b", "\x00", "../jobs", "/", "//", "a\\..\\b", "é/ü", ";x", "1/jobs/2/trace?x"} {
		f.Add(seed)
	}
	c, err := New(Config{BaseURL: "https://gitlab.example.com/root"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pid string) {
		path, err := jobPath(pid, 7, "/trace")
		if err != nil {
			return
		}
		u, err := c.url(path, url.Values{"page": {"2"}})
		if err != nil {
			t.Fatalf("pid %q: url: %v", pid, err)
		}
		// What the server receives is the serialised URL, parsed again.
		wire, err := url.Parse(u.String())
		if err != nil {
			t.Fatalf("pid %q: %s does not parse: %v", pid, u, err)
		}
		if wire.RawQuery != "page=2" || wire.Fragment != "" || wire.Host != "gitlab.example.com" {
			t.Fatalf("pid %q escaped into query/fragment/host: %s", pid, u)
		}
		rest, ok := strings.CutPrefix(wire.EscapedPath(), "/root/api/v4/projects/")
		if !ok {
			t.Fatalf("pid %q: path %s left /root/api/v4/projects/", pid, wire.EscapedPath())
		}
		segments := strings.Split(rest, "/")
		if len(segments) != 4 || segments[1] != "jobs" || segments[2] != "7" || segments[3] != "trace" {
			t.Fatalf("pid %q: path %s is not /projects/<one segment>/jobs/7/trace", pid, wire.EscapedPath())
		}
		if seg := segments[0]; seg == "." || seg == ".." || seg == "" {
			t.Fatalf("pid %q: segment %q is a directory step", pid, seg)
		}
		if decoded, err := url.PathUnescape(segments[0]); err != nil || decoded != pid {
			t.Fatalf("pid %q: segment %q decodes to %q, %v", pid, segments[0], decoded, err)
		}
	})
}

// FuzzLinkTarget feeds arbitrary Link headers: no panic, and a found target
// is always text that stood between < and > in the input.
func FuzzLinkTarget(f *testing.F) {
	for _, seed := range []string{
		`<https://x/api/v4/projects/1/jobs?cursor=abc&pagination=keyset>; rel="next"`,
		`<a>; rel="prev", <b>; rel="next"`,
		`<a;b,c>; rel=next`, `<`, `>`, `<>; rel="next"`, `; rel="next"`, `<x>; rel`, `<x>; rel=""`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		target, ok := linkTarget([]string{header}, "next")
		if ok && !strings.Contains(header, "<"+target+">") {
			t.Fatalf("target %q is not a bracketed part of %q", target, header)
		}
		_ = cursorOf(target)
	})
}

// FuzzRetryAfter feeds arbitrary Retry-After values: no panic, never a
// negative wait.
func FuzzRetryAfter(f *testing.F) {
	for _, seed := range []string{"0", "120", "99999999999999999999", "-1", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "", " 7 "} {
		f.Add(seed)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", v, d, ok)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{"Wed, 21 Oct 2015 07:29:00 GMT", time.Minute, true},
		{"Wed, 21 Oct 2015 07:00:00 GMT", 0, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
