package textcut

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	cases := []struct {
		s     string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer message", 8, "a longer…"},
		{"ééééé", 3, "é…"}, // é is two bytes: no half character
		{"", 0, ""},
	}
	for _, c := range cases {
		if got := Cut(c.s, c.limit); got != c.want || !utf8.ValidString(got) {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.s, c.limit, got, c.want)
		}
	}
	if got := Cut(strings.Repeat("x", 5000), 1024); len(got) != 1024+len("…") {
		t.Errorf("cut to %d bytes", len(got))
	}
}
