package globalid

import (
	"encoding/base64"
	"errors"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	ids := []ID{
		Project(7), User(1), Job(3, 9_000_000_001), Pipeline(3, 44),
		Commit(3, "0ff3ae198f8601a285adcf5c0fff204ee6fba5fd"), Bridge(3, 44, 91),
		Runner(12), RunnerManager(5), Namespace(9),
	}
	for _, want := range ids {
		got, err := Parse(want.String())
		if err != nil {
			t.Fatalf("Parse(%v): %v", want, err)
		}
		if got != want {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
	}
}

// TestTextForm pins what is inside the base64: clients keep ids, so the form
// must not drift.
func TestTextForm(t *testing.T) {
	want := map[ID]string{
		Project(7):            "Project:7",
		User(1):               "User:1",
		Job(3, 9_000_000_001): "Job:3:9000000001",
		Pipeline(3, 44):       "Pipeline:3:44",
		Commit(3, "0ff3ae1"):  "Commit:3:0ff3ae1",
		Bridge(3, 44, 91):     "Bridge:3:44:91",
		Runner(12):            "Runner:12",
		RunnerManager(5):      "RunnerManager:5",
		Namespace(9):          "Namespace:9",
	}
	for id, text := range want {
		if got := id.String(); got != base64.RawURLEncoding.EncodeToString([]byte(text)) {
			t.Errorf("%+v encodes %q, want the text %q", id, got, text)
		}
	}
}

func TestParseRejects(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	cases := map[string]string{
		"empty":          "",
		"not base64":     "!!!",
		"unknown type":   enc("Group:1"),
		"too few parts":  enc("Job:1"),
		"too many parts": enc("Project:1:2"),
		"zero id":        enc("Job:1:0"),
		"negative":       enc("Job:1:-5"),
		"not a number":   enc("Job:1:x"),
		"plus sign":      enc("Job:1:+5"),
		"leading zero":   enc("Job:01:5"),
		"bad sha":        enc("Commit:1:../../users"),
		"upper sha":      enc("Commit:1:ABCDEF12"),
		"padded":         base64.URLEncoding.EncodeToString([]byte("Job:1:2")),
		"overflow":       enc("Job:1:99999999999999999999"),
		"too long":       enc(string(make([]byte, 300))),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(in); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) = %v, want ErrInvalid", in, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Job(1, 2).String())
	f.Add(Commit(1, "abcdef1").String())
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err != nil {
			return
		}
		if id.String() != s {
			t.Fatalf("accepted non-canonical %q", s)
		}
	})
}
