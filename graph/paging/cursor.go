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

// keysetFits reports whether k can be GitLab's keyset cursor for c: GitLab's
// base64 alphabets and padding, within maxKeysetLen. GitLab's cursors are
// opaque, but the ones it sends for id-ordered lists are base64 of a JSON
// object naming the id the page starts below and a direction; a cursor that
// reads so must start where c says, forwards. That catches a tampered or
// mismatched cursor here, rather than as wrong items or GitLab's 500, while a
// cursor in some other form is left for GitLab to judge.
func (c Cursor) keysetFits(k string) bool {
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
	var text []byte
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.RawURLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(k); err == nil {
			text = b
			break
		}
	}
	var fields struct {
		ID        json.RawMessage `json:"id"`
		Direction *string         `json:"_kd"`
	}
	if text == nil || json.Unmarshal(text, &fields) != nil || fields.ID == nil {
		return true
	}
	start, err := strconv.ParseInt(strings.Trim(string(fields.ID), `"`), 10, 64)
	if err != nil || (fields.Direction != nil && *fields.Direction != keysetAfter) {
		return false
	}
	if c.KeysetAfter {
		return start == c.ID
	}
	return start > c.ID
}
