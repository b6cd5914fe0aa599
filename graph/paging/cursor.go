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
	cursorPrefix       = "c1"
	maxCursorLen       = 128
	maxCursorOffset    = 1 << 30
	cursorSeparator    = ":"
	cursorPartsCounted = 3
)

// Cursor marks one item of an id-ordered list: its id, which keeps the
// cursor's meaning when the list changes, and the offset it had when served,
// which finds it again in one upstream call when the list did not change.
type Cursor struct {
	ID     int64
	Offset int
}

// String returns the opaque text form handed to clients.
func (c Cursor) String() string {
	raw := cursorPrefix + cursorSeparator + strconv.FormatInt(c.ID, 10) + cursorSeparator + strconv.Itoa(c.Offset)
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
	if len(parts) != cursorPartsCounted || parts[0] != cursorPrefix {
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
	if c.String() != s {
		return Cursor{}, fmt.Errorf("%w: not canonical", ErrBadCursor)
	}
	return c, nil
}
