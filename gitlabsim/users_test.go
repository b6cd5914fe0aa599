package gitlabsim

import (
	"fmt"
	"slices"
	"testing"
)

// userEntityKeys are Entities::User's keys in the newest lib/api/entities/user.rb,
// minus is_followed, which only a presenter with current_user adds.
var userEntityKeys = []string{
	"id", "username", "name", "state", "avatar_url", "web_url", "created_at", "bio", "location",
	"public_email", "skype", "linkedin", "twitter", "discord", "website_url", "organization", "job_title",
	"pronouns", "bot", "work_information", "followers", "following", "local_time",
}

// userPublicKeys are what Entities::UserPublic adds for GET /user.
var userPublicKeys = []string{
	"last_sign_in_at", "confirmed_at", "last_activity_on", "email", "theme_id", "color_scheme_id",
	"projects_limit", "current_sign_in_at", "identities", "can_create_group", "can_create_project",
	"two_factor_enabled", "external", "private_profile", "commit_email", "preferred_language",
}

func TestUserEntityFollowsNewestGitLab(t *testing.T) {
	tests := []struct {
		name, path, token string
		wantKeys          []string
		// path into the answer where the user sits; "" for the answer itself.
		under string
		want  map[string]any
	}{
		{
			name: "job user has no is_followed", path: fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobFailed),
			token: TokenMaintainer, wantKeys: userEntityKeys, under: "user",
		},
		{
			name: "anonymous user lookup has no is_followed", path: "/api/v4/users/3", wantKeys: userEntityKeys,
			want: map[string]any{"discord": "", "bio": nil, "location": "Lisbon", "local_time": "12:00 PM"},
		},
		{
			name: "authenticated user lookup is_followed", path: "/api/v4/users/2", token: TokenGuest,
			wantKeys: append(slices.Clone(userEntityKeys), "is_followed"),
			want:     map[string]any{"is_followed": false, "local_time": "1:00 PM", "bio": nil},
		},
		{
			name: "no timezone, bio set, location unset", path: "/api/v4/users/4", token: TokenGuest,
			wantKeys: append(slices.Clone(userEntityKeys), "is_followed"),
			want:     map[string]any{"local_time": nil, "bio": "Reads pipelines, ships nothing.", "location": nil},
		},
		{
			name: "current user is UserPublic", path: "/api/v4/user", token: TokenGuest,
			wantKeys: slices.Concat(userEntityKeys, []string{"is_followed"}, userPublicKeys),
			want:     map[string]any{"is_followed": false, "preferred_language": "en"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := getObject(t, tt.path, tt.token)
			if tt.under != "" {
				u, _ = u[tt.under].(map[string]any)
			}
			want := slices.Sorted(slices.Values(tt.wantKeys))
			if got := keys(u); !slices.Equal(got, want) {
				t.Errorf("keys\n got %v\nwant %v", got, want)
			}
			for k, v := range tt.want {
				if u[k] != v {
					t.Errorf("%s = %#v, want %#v", k, u[k], v)
				}
			}
		})
	}
}

// GET /version needs a token, as GitLab's does, and names the release.
func TestVersion(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	if r := get(t, srv, "/api/v4/version", ""); r.status != 401 {
		t.Errorf("without a token: status %d, want 401", r.status)
	}
	var v struct{ Version, Revision string }
	get(t, srv, "/api/v4/version", TokenGuest).json(t, &v)
	if v.Version != Version || v.Revision == "" {
		t.Errorf("version %+v", v)
	}
}
