package gitlabsim

import (
	"reflect"
	"testing"
)

// TestProjectWithAccess pins Entities::ProjectWithAccess on GET /projects/:id:
// permissions from the caller's membership (Gitlab::Access levels, global
// notification level 3) and Entities::Project's _links under the API base.
func TestProjectWithAccess(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	api := srv.URL + "/api/v4/projects/1"
	wantLinks := map[string]any{
		"self": api, "issues": api + "/issues", "merge_requests": api + "/merge_requests",
		"repo_branches": api + "/repository/branches", "labels": api + "/labels", "events": api + "/events",
		"members": api + "/members", "cluster_agents": api + "/cluster_agents",
	}
	access := func(level float64) map[string]any {
		return map[string]any{"access_level": level, "notification_level": float64(3)}
	}
	tests := []struct {
		name, path, token string
		want              any // the permissions object; nil for none
	}{
		{"maintainer", "/api/v4/projects/1", TokenMaintainer, map[string]any{"project_access": access(40), "group_access": nil}},
		{"developer by path", "/api/v4/projects/demo-group%2Fplatform%2Fweb-app", TokenDeveloper, map[string]any{"project_access": access(30), "group_access": nil}},
		{"guest", "/api/v4/projects/1", TokenGuest, map[string]any{"project_access": access(10), "group_access": nil}},
		{"non-member", "/api/v4/projects/1", TokenOutsider, map[string]any{"project_access": nil, "group_access": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, tt.path, tt.token)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var m map[string]any
			r.json(t, &m)
			if !reflect.DeepEqual(m["permissions"], tt.want) {
				t.Errorf("permissions %v, want %v", m["permissions"], tt.want)
			}
			if !reflect.DeepEqual(m["_links"], wantLinks) {
				t.Errorf("_links %v, want %v", m["_links"], wantLinks)
			}
		})
	}
	t.Run("anonymous gets no access view", func(t *testing.T) {
		var m map[string]any
		get(t, srv, "/api/v4/projects/2", "").json(t, &m)
		for _, k := range []string{"permissions", "_links"} {
			if _, ok := m[k]; ok {
				t.Errorf("anonymous project has %s", k)
			}
		}
	})
}
