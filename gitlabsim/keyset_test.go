package gitlabsim

import (
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// keysetIDs reads one keyset page of the demo's jobs: the ids and the cursor of
// Link rel="next" ("" without one).
func keysetIDs(t *testing.T, srv *httptest.Server, path string) ([]int64, string) {
	t.Helper()
	r := get(t, srv, path, TokenMaintainer)
	if r.status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var items []idOnly
	r.json(t, &items)
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	var next string
	if m := nextLink.FindStringSubmatch(r.header.Get("Link")); m != nil {
		u, err := url.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		next = u.Query().Get("cursor")
	}
	return ids, next
}

func rawCursor(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }

// TestKeysetCursorsAsGitLabReadsThem pins Base64.urlsafe_decode64 (padded and
// unpadded input) and Keyset::Paginator's backward direction.
func TestKeysetCursorsAsGitLabReadsThem(t *testing.T) {
	sim, srv := newTestServer(t, Options{Seed: 1})
	var all []int64 // the demo's builds, newest first
	for _, j := range slices.Backward(sim.world.projectByID[ProjectDemo].Jobs) {
		if j.Kind == kindBuild {
			all = append(all, j.ID)
		}
	}
	base := "/api/v4/projects/1/jobs?pagination=keyset&per_page=5"
	first, next := keysetIDs(t, srv, base)
	second, _ := keysetIDs(t, srv, base+"&cursor="+next)
	if !slices.Equal(first, all[:5]) || !slices.Equal(second, all[5:10]) {
		t.Fatalf("forward pages %v %v, want %v %v", first, second, all[:5], all[5:10])
	}
	padded := base64.URLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"id":"%d","_kd":"n"}`, first[4])))
	// Ruby's urlsafe_decode64 also reads the standard alphabet's + and /;
	// pad the JSON until its encoding has both.
	standard := ""
	for pad := ""; !strings.Contains(standard, "+") || !strings.Contains(standard, "/"); pad += " " {
		standard = base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"id":"%d","_kd":"n","x":">?>?>?"%s}`, first[4], pad)))
	}
	tests := []struct {
		name     string
		cursor   string
		want     []int64
		wantNext bool
	}{
		{"padded forward", padded, second, true},
		{"unpadded forward", strings.TrimRight(padded, "="), second, true},
		{"standard alphabet forward", standard, second, true},
		{"backward from the second page's first id", rawCursor(fmt.Sprintf(`{"id":"%d","_kd":"p"}`, second[0])), first, true},
		{"backward near the newest", rawCursor(fmt.Sprintf(`{"id":"%d","_kd":"p"}`, all[2])), all[:2], true},
		{"forward without id is the first page", rawCursor(`{"_kd":"n"}`), first, true},
		{"backward without id is the oldest page", rawCursor(`{"_kd":"p"}`), all[len(all)-5:], false},
		{"id without direction reads forward, links nothing", rawCursor(fmt.Sprintf(`{"id":"%d"}`, first[4])), second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next := keysetIDs(t, srv, base+"&cursor="+url.QueryEscape(tt.cursor))
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids %v, want %v", got, tt.want)
			}
			if (next != "") != tt.wantNext {
				t.Errorf("next cursor %q, want one: %v", next, tt.wantNext)
			}
			if tt.wantNext {
				if pos, err := decodeCursor(next); err != nil || pos.direction != keysetForward || pos.id != got[len(got)-1] {
					t.Errorf("next cursor %+v (%v), want forward from %d", pos, err, got[len(got)-1])
				}
			}
		})
	}
}
