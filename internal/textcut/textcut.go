// Package textcut shortens text for messages that must stay small, such as
// errors that quote what a client or GitLab sent.
package textcut

import "unicode/utf8"

// Cut returns s cut to at most limit bytes on a character boundary, the cut
// marked with "…"; s itself when it fits.
func Cut(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
