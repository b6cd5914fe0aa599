package paging

import (
	"encoding/base64"
	"encoding/json"
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

// How a cursor's GitLab keyset cursor relates to its item.
const (
	keysetAfter = "n" // GitLab's cursor for the items right after the item
	keysetPage  = "p" // GitLab's cursor of the page the item was read from
)

// Cursor marks one item of an id-ordered list: its id, which keeps the
// cursor's meaning when the list changes, and the offset it had when served,
// which finds it again in one upstream call when the list did not change.
//
// An item read by keyset pagination also carries GitLab's keyset cursor, so
// the list resumes after it by keyset, at any depth: on the last item of a
// page GitLab's cursor for the items after it (KeysetAfter), on the others
// (and on a last page's last item, after which GitLab gives no cursor) the
// cursor the page was read from, re-read to resume after the item.
type Cursor struct {
	ID          int64
	Offset      int
	Keyset      string
	KeysetAfter bool
}

// String returns the opaque text form handed to clients.
func (c Cursor) String() string {
	raw := cursorPrefix + cursorSeparator + strconv.FormatInt(c.ID, 10) + cursorSeparator + strconv.Itoa(c.Offset)
	if c.Keyset != "" {
		kind := keysetPage
		if c.KeysetAfter {
			kind = keysetAfter
		}
		raw += cursorSeparator + kind + cursorSeparator + c.Keyset
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
	if (len(parts) != 3 && len(parts) != 5) || parts[0] != cursorPrefix {
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
	if len(parts) == 5 {
		c.Keyset, c.KeysetAfter = parts[4], parts[3] == keysetAfter
		if (parts[3] != keysetAfter && parts[3] != keysetPage) || !c.keysetFits(c.Keyset) {
			return Cursor{}, fmt.Errorf("%w: bad keyset cursor", ErrBadCursor)
		}
	}
	if c.String() != s {
		return Cursor{}, fmt.Errorf("%w: not canonical", ErrBadCursor)
	}
	return c, nil
}

// keysetFits reports whether k can be GitLab's keyset cursor for c (see
// keysetStart).
func (c Cursor) keysetFits(k string) bool {
	start, known, ok := keysetStart(k)
	switch {
	case !ok:
		return false
	case !known:
		return true
	case c.KeysetAfter:
		return start == c.ID
	}
	return start > c.ID
}

// keysetStart checks that k can be GitLab's keyset cursor: GitLab's base64
// alphabets and padding, within maxKeysetLen. GitLab's cursors are opaque,
// but the ones it sends for id-ordered lists are URL-safe base64 of a JSON
// object naming the id the page starts below and the direction, forwards
// ("_kd":"n"); a cursor that reads as such an object must read forwards, and
// start is its id. That catches a tampered or mismatched cursor here rather
// than as wrong items or GitLab's 500. A cursor in some other form, from a
// GitLab that changed it, is left for GitLab to judge (known is false).
func keysetStart(k string) (start int64, known, ok bool) {
	if k == "" || len(k) > maxKeysetLen {
		return 0, false, false
	}
	for _, r := range k {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '-', r == '_', r == '+', r == '/', r == '=':
		default:
			return 0, false, false
		}
	}
	// As Ruby's Base64.urlsafe_decode64 reads it: either alphabet, padding
	// optional.
	std := strings.NewReplacer("-", "+", "_", "/").Replace(strings.TrimRight(k, "="))
	text, err := base64.RawStdEncoding.DecodeString(std)
	var fields map[string]json.RawMessage
	if err != nil || json.Unmarshal(text, &fields) != nil || fields["id"] == nil {
		return 0, false, true
	}
	var direction string
	if json.Unmarshal(fields["_kd"], &direction) != nil || direction != keysetAfter {
		return 0, false, false
	}
	start, err = strconv.ParseInt(strings.Trim(string(fields["id"]), `"`), 10, 64)
	if err != nil {
		return 0, false, false
	}
	return start, true, true
}
