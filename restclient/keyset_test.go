package restclient

import (
	"encoding/base64"
	"errors"
	"testing"
)

func TestKeysetCursorStart(t *testing.T) {
	gitlab := func(json string) string { return base64.URLEncoding.EncodeToString([]byte(json)) }
	tests := []struct {
		cursor string
		want   int64
		ok     bool
	}{
		{gitlab(`{"id":"17119","_kd":"n"}`), 17119, true},
		{gitlab(`{"id":17119,"_kd":"n"}`), 17119, true},
		{gitlab(`{"_kd":"n","id":"5","extra":1}`), 5, true},
		{gitlab(`{"id":"0017119","_kd":"n"}`), 0, false}, // GitLab answers 500 to it
		{gitlab(`{"id":"0","_kd":"n"}`), 0, false},
		{gitlab(`{"id":"-5","_kd":"n"}`), 0, false},
		{gitlab(`{"id":"5 ","_kd":"n"}`), 0, false},
		{gitlab(`{"id":5e0,"_kd":"n"}`), 0, false},
		{gitlab(`{"id":"99999999999999999999","_kd":"n"}`), 0, false},
		{gitlab(`{"id":"5","_kd":"p"}`), 0, false},
		{gitlab(`{"id":"5","id":"6","_kd":"n"}`), 0, false},
		{gitlab(`{"id":true,"_kd":"n"}`), 0, false},
		{gitlab(`["5"]`), 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := KeysetCursorStart(tt.cursor)
		if got != tt.want || ok != tt.ok {
			t.Errorf("KeysetCursorStart(%q) = %d, %t; want %d, %t", tt.cursor, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMethodNotAllowedCause(t *testing.T) {
	var limit *OffsetLimitError
	cause := methodNotAllowedCause("Offset pagination has a maximum allowed offset of 300 for requests that return objects of type Ci::Build. Remaining records can be retrieved using keyset pagination.")
	if !errors.As(cause, &limit) || limit.Limit != 300 {
		t.Errorf("offset limit: %v", cause)
	}
	if cause := methodNotAllowedCause("Keyset pagination is not yet available for this type of request"); !errors.Is(cause, ErrKeysetUnsupported) {
		t.Errorf("keyset refused: %v", cause)
	}
	if cause := methodNotAllowedCause("405 Method Not Allowed"); cause != nil {
		t.Errorf("a plain 405: %v", cause)
	}
}
