package paging

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadCursor is wrapped by every cursor decoding error.
var ErrBadCursor = errors.New("invalid cursor")

const (
	cursorPrefix    = "c1"
	maxCursorLen    = 512
	maxCursorOffset = 1 << 30
	cursorSeparator = ":"
	// maxKeysetLen bounds GitLab's keyset cursor inside ours; GitLab's are
	// base64 of a small JSON object, well under it.
	maxKeysetLen = 300
)

// Cursor marks one item of an id-ordered list: its id, which keeps the
// cursor's meaning when the list changes, and the offset it had when served,
// which finds it again in one upstream call when the list did not change.
// On the last item of a page read by keyset, Keyset is GitLab's cursor for
// the items after it, which reads the next page at any depth in one call.
type Cursor struct {
	ID     int64
	Offset int
	Keyset string
}

// String returns the opaque text form handed to clients.
func (c Cursor) String() string {
	raw := cursorPrefix + cursorSeparator + strconv.FormatInt(c.ID, 10) + cursorSeparator + strconv.Itoa(c.Offset)
	if c.Keyset != "" {
		raw += cursorSeparator + c.Keyset
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseCursor decodes a cursor produced by String.
func ParseCursor(s string) (Cursor, error) {
	if s == "" || len(s) > maxCursorLen {
		return Cursor{}, fmt.Errorf("%w: wrong length", ErrBadCursor)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, fmt.Errorf("%w: not base64url", ErrBadCursor)
	}
	parts := strings.Split(string(raw), cursorSeparator)
	if (len(parts) != 3 && len(parts) != 4) || parts[0] != cursorPrefix {
		return Cursor{}, fmt.Errorf("%w: unknown format", ErrBadCursor)
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || id < 1 {
		return Cursor{}, fmt.Errorf("%w: bad id", ErrBadCursor)
	}
	offset, err := strconv.Atoi(parts[2])
	if err != nil || offset < 0 || offset > maxCursorOffset {
		return Cursor{}, fmt.Errorf("%w: bad offset", ErrBadCursor)
	}
	c := Cursor{ID: id, Offset: offset}
	if len(parts) == 4 {
		if !validKeyset(parts[3]) {
			return Cursor{}, fmt.Errorf("%w: bad keyset cursor", ErrBadCursor)
		}
		c.Keyset = parts[3]
	}
	if c.String() != s {
		return Cursor{}, fmt.Errorf("%w: not canonical", ErrBadCursor)
	}
	return c, nil
}

// validKeyset reports whether k can be GitLab's keyset cursor: its base64
// alphabets and padding, within maxKeysetLen. What it encodes is GitLab's to
// judge.
func validKeyset(k string) bool {
	if k == "" || len(k) > maxKeysetLen {
		return false
	}
	for _, r := range k {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '-', r == '_', r == '+', r == '/', r == '=':
		default:
			return false
		}
	}
	return true
}
