// Package joblog reads GitLab job logs: it keeps the windows of a log a client
// asked for while the log streams past (so memory follows what is returned,
// never the log's size), finds GitLab Runner's collapsible sections, and
// renders a window as text, plain text and HTML the way GitLab's own job log
// does (lib/gitlab/ci/ansi2html.rb).
package joblog

import (
	"strconv"
	"strings"
)

// Rendered is one window of a log in three forms. All three are valid UTF-8:
// an invalid byte sequence, or a character cut at the window's edge, is
// replaced with U+FFFD.
type Rendered struct {
	// Text is the log as written, ANSI codes and section markers included.
	Text string
	// Plain drops ANSI codes and section markers.
	Plain string
	// HTML renders colours and styles as <span class="term-…"> (GitLab's CSS
	// classes), HTML-escaped, newlines kept for a <pre>.
	HTML string
}

// Render renders raw, a window of a log.
func Render(raw []byte) Rendered {
	text := strings.ToValidUTF8(string(raw), "\uFFFD")
	var plain, html strings.Builder
	var st style
	var run strings.Builder // text written under st, not yet in html
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if class := st.classes(); class != "" {
			html.WriteString(`<span class="` + class + `">`)
			html.WriteString(run.String())
			html.WriteString("</span>")
		} else {
			html.WriteString(run.String())
		}
		run.Reset()
	}
	for i := 0; i < len(text); {
		if m, ok := matchMarker(text[i:]); ok {
			i += m.length
			continue
		}
		c := text[i]
		if c == '\x1b' {
			n, params, isSGR := escapeSequence(text[i:])
			if isSGR {
				next := st
				next.apply(params)
				if next != st {
					flush()
					st = next
				}
			}
			i += n
			continue
		}
		plain.WriteByte(c)
		writeEscaped(&run, c)
		i++
	}
	flush()
	return Rendered{Text: text, Plain: plain.String(), HTML: html.String()}
}

func writeEscaped(b *strings.Builder, c byte) {
	switch c {
	case '&':
		b.WriteString("&amp;")
	case '<':
		b.WriteString("&lt;")
	case '>':
		b.WriteString("&gt;")
	case '"':
		b.WriteString("&#34;")
	case '\'':
		b.WriteString("&#39;")
	default:
		b.WriteByte(c)
	}
}

// escapeSequence measures the escape sequence at the start of s (which starts
// with ESC): a CSI sequence (ESC [ params final byte), whose params are
// returned when it is SGR (final byte m), an nF sequence, any other two-byte
// sequence, or a sequence cut short by the end of the window. Like GitLab's
// renderer, only SGR is rendered and every other sequence is dropped.
func escapeSequence(s string) (n int, params string, isSGR bool) {
	if len(s) < 2 {
		return len(s), "", false
	}
	switch c := s[1]; {
	case c >= 0x20 && c <= 0x2f:
		// An nF sequence (ESC ( B picks a character set): intermediates,
		// then one final byte.
		i := 2 + leading(s[2:], func(c byte) bool { return c >= 0x20 && c <= 0x2f })
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i, "", false
	case c == '[':
	case c >= '@' && c <= '_':
		return 2, "", false
	default:
		return 1, "", false
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x20 && c <= 0x3f:
		case c >= 0x40 && c <= 0x7e:
			return i + 1, s[2:i], c == 'm'
		default:
			// Not a control sequence after all: drop the introducer only.
			return 2, "", false
		}
	}
	return len(s), "", false
}

// Style bits, as GitLab's STYLE_SWITCHES.
const (
	styleBold = 1 << iota
	styleItalic
	styleUnderline
	styleConceal
	styleCross
)

var styleClasses = []struct {
	bit   int
	class string
}{
	{styleBold, "term-bold"}, {styleItalic, "term-italic"}, {styleUnderline, "term-underline"},
	{styleConceal, "term-conceal"}, {styleCross, "term-cross"},
}

var colorNames = [8]string{"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"}

// color is a terminal colour: none, one of the eight (plain or light), or an
// xterm 256-colour index.
type color struct {
	kind  byte // 0 none, 'n' named, 'l' light named, 'x' xterm
	index int
}

// style is the SGR state the renderer carries from one sequence to the next.
type style struct {
	fg, bg color
	mask   int
}

// apply evaluates an SGR parameter list as GitLab's Converter does; codes it
// does not know are skipped.
func (s *style) apply(params string) {
	if params == "" {
		*s = style{}
		return
	}
	codes := strings.Split(params, ";")
	for i := 0; i < len(codes); i++ {
		code, err := strconv.Atoi(codes[i])
		if err != nil {
			continue
		}
		switch {
		case code == 0:
			*s = style{}
		case code == 1:
			s.mask |= styleBold
		case code == 3:
			s.mask |= styleItalic
		case code == 4:
			s.mask |= styleUnderline
		case code == 8:
			s.mask |= styleConceal
		case code == 9:
			s.mask |= styleCross
		case code == 21 || code == 22:
			s.mask &^= styleBold
		case code == 23:
			s.mask &^= styleItalic
		case code == 24:
			s.mask &^= styleUnderline
		case code == 28:
			s.mask &^= styleConceal
		case code == 29:
			s.mask &^= styleCross
		case code >= 30 && code <= 37:
			s.fg = color{'n', code - 30}
		case code == 39:
			s.fg = color{}
		case code >= 40 && code <= 47:
			s.bg = color{'n', code - 40}
		case code == 49:
			s.bg = color{}
		case code >= 90 && code <= 97:
			s.fg = color{'l', code - 90}
		case code >= 100 && code <= 107:
			s.bg = color{'l', code - 100}
		case code == 38 || code == 48:
			c, used := extendedColor(codes[i+1:])
			i += used
			if c.kind == 0 {
				continue
			}
			if code == 38 {
				s.fg = c
			} else {
				s.bg = c
			}
		}
	}
}

// extendedColor reads the arguments of SGR 38 and 48: "5;n" is an xterm
// colour, which GitLab renders; "2;r;g;b" is a true colour, which it does not,
// but whose arguments must not be read as codes of their own.
func extendedColor(args []string) (color, int) {
	if len(args) == 0 {
		return color{}, 0
	}
	switch args[0] {
	case "5":
		if len(args) < 2 {
			return color{}, 1
		}
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 0 || n > 255 {
			return color{}, 2
		}
		return color{'x', n}, 2
	case "2":
		return color{}, min(4, len(args))
	}
	return color{}, 0
}

// classes lists the CSS classes of s, in GitLab's order: foreground,
// background, styles. Bold text takes the light variant of its colour, as
// terminals show it and GitLab mimics.
func (s style) classes() string {
	var out []string
	if fg := s.fg.class("fg", s.mask&styleBold != 0); fg != "" {
		out = append(out, fg)
	}
	if bg := s.bg.class("bg", false); bg != "" {
		out = append(out, bg)
	}
	for _, sc := range styleClasses {
		if s.mask&sc.bit != 0 {
			out = append(out, sc.class)
		}
	}
	return strings.Join(out, " ")
}

func (c color) class(layer string, light bool) string {
	switch {
	case c.kind == 'x':
		return "xterm-" + layer + "-" + strconv.Itoa(c.index)
	case c.kind == 'l' || c.kind == 'n' && light:
		return "term-" + layer + "-l-" + colorNames[c.index]
	case c.kind == 'n':
		return "term-" + layer + "-" + colorNames[c.index]
	}
	return ""
}
