package joblog

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name, raw, plain, html string
	}{
		{"plain text is escaped", `a <b> & "c" 'd'`, `a <b> & "c" 'd'`, `a &lt;b&gt; &amp; &#34;c&#34; &#39;d&#39;`},
		{"colour and reset", "\x1b[31mred\x1b[0m plain", "red plain", `<span class="term-fg-red">red</span> plain`},
		{"bold colour is the light variant", "\x1b[1;32mok\x1b[0;m", "ok", `<span class="term-fg-l-green term-bold">ok</span>`},
		{"light and background", "\x1b[94;41mx\x1b[49my", "xy", `<span class="term-fg-l-blue term-bg-red">x</span><span class="term-fg-l-blue">y</span>`},
		{"xterm colours", "\x1b[38;5;208mo\x1b[48;5;17mb", "ob", `<span class="xterm-fg-208">o</span><span class="xterm-fg-208 xterm-bg-17">b</span>`},
		{"true colour arguments are not codes", "\x1b[38;2;31;32;33mt", "t", "t"},
		{"styles on and off", "\x1b[3;4;9mi\x1b[23;24;29mj", "ij", `<span class="term-italic term-underline term-cross">i</span>j`},
		{"default foreground", "\x1b[36mc\x1b[39md", "cd", `<span class="term-fg-cyan">c</span>d`},
		{"empty SGR resets", "\x1b[1mb\x1b[mn", "bn", `<span class="term-bold">b</span>n`},
		{"other sequences are dropped", "\x1b[0Kclear\x1b[2Jall\x1b(B", "clearall", "clearall"},
		{"sequence cut at the end is dropped", "text\x1b[3", "text", "text"},
		{"section markers are not text", "section_start:1700000000:build[collapsed=true]\r\x1b[0K\x1b[36;1mBuild\x1b[0;m\nsection_end:1700000003:build\r\x1b[0K\n",
			"Build\n\n", `<span class="term-fg-l-cyan term-bold">Build</span>` + "\n\n"},
		{"a marker without its terminator is text", "section_start:1:x\n", "section_start:1:x\n", "section_start:1:x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render([]byte(tt.raw))
			if got.Text != tt.raw || got.Plain != tt.plain || got.HTML != tt.html {
				t.Errorf("Render(%q)\n text %q\nplain %q, want %q\n html %q, want %q", tt.raw, got.Text, got.Plain, tt.plain, got.HTML, tt.html)
			}
		})
	}
}

// A character cut at a window's edge, and bytes that are no UTF-8 at all,
// come out as U+FFFD in every form.
func TestRenderRepairsUTF8(t *testing.T) {
	euro := "€" // three bytes
	for _, raw := range [][]byte{
		[]byte(euro)[1:],                         // cut at the start
		append([]byte("a"), []byte(euro)[:2]...), // cut at the end
		{'x', 0xff, 0xfe, 'y'},
	} {
		got := Render(raw)
		for form, s := range map[string]string{"text": got.Text, "plain": got.Plain, "html": got.HTML} {
			if !utf8.ValidString(s) || !strings.Contains(s, "\uFFFD") {
				t.Errorf("%s of %q = %q: want valid UTF-8 with a replacement", form, raw, s)
			}
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add([]byte("\x1b[1;31mred\x1b[0m <b>\nsection_start:1:a[collapsed=true]\r\x1b[0Khead\n"))
	f.Add([]byte("\x1b[38;5;999m\x1b[38;2\x1b"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := Render(raw)
		if !utf8.ValidString(got.Text) || !utf8.ValidString(got.Plain) || !utf8.ValidString(got.HTML) {
			t.Fatalf("invalid UTF-8 from %q", raw)
		}
		if strings.Contains(got.Plain, "\x1b") || strings.Contains(got.HTML, "\x1b") {
			t.Fatalf("an escape sequence survived: %q, %q from %q", got.Plain, got.HTML, raw)
		}
		if strings.ContainsAny(strings.NewReplacer(`<span class="`, "", `">`, "", "</span>", "").Replace(got.HTML), "<>") {
			t.Fatalf("unescaped markup in %q from %q", got.HTML, raw)
		}
	})
}
