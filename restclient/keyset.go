package restclient

import (
	"encoding/base64"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ErrKeysetUnsupported is the cause of a keyset request GitLab did not answer
// by keyset: a GitLab that pages the list by offset only either refuses
// pagination=keyset (405) or ignores it and answers an offset page.
var ErrKeysetUnsupported = errors.New("GitLab offers no keyset pagination for this list")

// keysetUnsupportedMessage begins GitLab's 405 to pagination=keyset on a list
// it pages by offset only, where the route knows keyset pagination at all.
const keysetUnsupportedMessage = "Keyset pagination is not yet available"

// OffsetLimitError is the cause of GitLab's 405 to an offset page reaching
// past its offset_pagination_limit, which administrators can lower below the
// default of 50,000.
type OffsetLimitError struct {
	Limit int // the first offset GitLab refuses
}

func (e *OffsetLimitError) Error() string {
	return "GitLab serves only the first " + strconv.Itoa(e.Limit) + " items of this list by offset"
}

// offsetLimitMessage is that 405's message, naming the limit and the type of
// the list's objects.
var offsetLimitMessage = regexp.MustCompile(`^Offset pagination has a maximum allowed offset of (\d+) for requests that return objects of type \S+?\.`)

// methodNotAllowedCause returns what a 405 with message means, or nil when
// it is none of the refusals above.
func methodNotAllowedCause(message string) error {
	if strings.HasPrefix(message, keysetUnsupportedMessage) {
		return ErrKeysetUnsupported
	}
	if m := offsetLimitMessage.FindStringSubmatch(message); m != nil {
		if limit, err := strconv.Atoi(m[1]); err == nil {
			return &OffsetLimitError{Limit: limit}
		}
	}
	return nil
}

// maxKeysetCursorLen bounds a keyset cursor: GitLab's are base64 of a small
// JSON object, well under it.
const maxKeysetCursorLen = 300

// canonicalID is an id as GitLab writes it in a cursor: a decimal with no
// sign and no leading zero. GitLab reads the id as a JSON number, so "017"
// would be a 500, not id 17.
var canonicalID = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

// KeysetCursorStart reads GitLab's keyset cursor for a list ordered by id,
// newest first (Response.NextCursor), as GitLab reads it: URL-safe base64
// (Ruby's Base64.urlsafe_decode64) of a JSON object with the id the page
// starts below, as a string or a number, and the direction, which must be
// forwards ("_kd":"n"). ok is false for any cursor GitLab would refuse or
// misread. GitLab calls its cursors opaque; this lets a caller check that a
// cursor handed back to it is one GitLab made for the place it claims.
func KeysetCursorStart(cursor string) (start int64, ok bool) {
	if cursor == "" || len(cursor) > maxKeysetCursorLen {
		return 0, false
	}
	text, err := urlsafeDecode64(cursor)
	if err != nil {
		return 0, false
	}
	var fields struct {
		ID        jsontext.Value `json:"id"`
		Direction string         `json:"_kd"`
	}
	if json.Unmarshal(text, &fields) != nil || fields.Direction != keysetForward {
		return 0, false
	}
	id := string(fields.ID)
	if unquoted, err := strconv.Unquote(id); err == nil && strings.HasPrefix(id, `"`) {
		id = unquoted
	}
	if !canonicalID.MatchString(id) {
		return 0, false
	}
	start, err = strconv.ParseInt(id, 10, 64)
	return start, err == nil
}

// keysetForward is the direction ("_kd") of GitLab's keyset cursors that read
// a list on from an id, towards older items.
const keysetForward = "n"

// errNotBase64 reports a byte Ruby's strict base64 decoding refuses and Go's
// skips (line breaks).
var errNotBase64 = errors.New("not base64")

// urlsafeDecode64 decodes s as Ruby's Base64.urlsafe_decode64 does: padding
// added only when s has none and needs it, either alphabet, strictly.
func urlsafeDecode64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errNotBase64
	}
	if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
		s += strings.Repeat("=", 4-len(s)%4)
	}
	return base64.StdEncoding.Strict().DecodeString(strings.NewReplacer("-", "+", "_", "/").Replace(s))
}
