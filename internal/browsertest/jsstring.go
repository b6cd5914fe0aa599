package browsertest

import "encoding/json"

// jsString quotes s as a JavaScript string literal; JSON strings are valid ones.
func jsString(s string) string {
	quoted, err := json.Marshal(s)
	if err != nil {
		// Marshalling a Go string cannot fail: invalid UTF-8 becomes U+FFFD.
		panic(err)
	}
	return string(quoted)
}
