package paging

import (
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"jobgraph/restclient"
)

// ErrBadCursor is wrapped by every cursor decoding error.
var ErrBadCursor = errors.New("invalid cursor")

const (
	cursorPrefix    = "c1"
	listPrefix      = "c2" // a cursor naming its list
	maxCursorLen    = 512
	maxCursorOffset = 1 << 30
	cursorSeparator = ":"
)

// How a cursor's GitLab keyset cursor relates to its item, in the cursor's
// text.
const (
	keysetAfter = "after" // GitLab's cursor for the items right after the item
	keysetPage  = "page"  // GitLab's cursor of the page the item was read from
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
//
// List names the list the cursor was served from (see ListTag), so a cursor
// handed to another list is refused rather than read as an id there; 0 on
// cursors from before lists were named, which any list accepts.
type Cursor struct {
	List        uint32
	ID          int64
	Offset      int
	Keyset      string
	KeysetAfter bool
}

// ListTag names a list in its cursors: a hash of name, which says what the
// list is and whose (project jobs of project 7), never 0.
func ListTag(name string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	return max(h.Sum32(), 1)
}

// String returns the opaque text form handed to clients.
func (c Cursor) String() string {
	raw := cursorPrefix
	if c.List != 0 {
		raw = listPrefix + cursorSeparator + strconv.FormatUint(uint64(c.List), 16)
	}
	raw += cursorSeparator + strconv.FormatInt(c.ID, 10) + cursorSeparator + strconv.Itoa(c.Offset)
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
	var c Cursor
	if len(parts) > 1 && parts[0] == listPrefix {
		list, err := strconv.ParseUint(parts[1], 16, 32)
		if err != nil || list == 0 {
			return Cursor{}, fmt.Errorf("%w: bad list", ErrBadCursor)
		}
		c.List, parts = uint32(list), append([]string{cursorPrefix}, parts[2:]...)
	}
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
	c.ID, c.Offset = id, offset
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

// keysetFits reports whether k can be GitLab's keyset cursor for c: one
// that reads on right after c's item (KeysetAfter) or from above it.
func (c Cursor) keysetFits(k string) bool {
	start, ok := restclient.KeysetCursorStart(k)
	if c.KeysetAfter {
		return ok && start == c.ID
	}
	return ok && start > c.ID
}
