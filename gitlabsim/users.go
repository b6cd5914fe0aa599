package gitlabsim

import "net/http"

func (s *Sim) getUser(rc *requestContext) {
	id, ok := rc.intParam("id")
	if !ok {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := newRender(s.world, rc.base).user(id)
	if u == nil {
		notFound(rc.w, "User")
		return
	}
	if rc.user != nil {
		writeJSON(rc.w, http.StatusOK, u.withCurrentUser())
		return
	}
	writeJSON(rc.w, http.StatusOK, u)
}

// getCurrentUser serves GET /user with the owner's view (Entities::UserPublic; no
// seeded token belongs to an admin, who would get UserWithAdmin).
func (s *Sim) getCurrentUser(rc *requestContext) {
	if !rc.authenticated() {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := rc.user
	signIn := stamp(s.world.now.Add(-3 * 3600e9))
	writeJSON(rc.w, http.StatusOK, currentUserEntity{
		userEntity:     newRender(s.world, rc.base).user(u.ID).withCurrentUser(),
		LastSignInAt:   signIn,
		ConfirmedAt:    stamp(u.CreatedAt),
		LastActivityOn: s.world.now.Format("2006-01-02"),
		Email:          u.Email,
		ThemeID:        1, ColorSchemeID: 1, ProjectsLimit: 100000,
		CurrentSignInAt: signIn, Identities: []any{}, CanCreateGroup: true, CanCreateProject: true,
		CommitEmail: u.Email, PreferredLanguage: "en",
	})
}

// Version is the GitLab release gitlabsim follows, as GET /version names it.
const Version = "17.5.0"

// getVersion serves GET /version (lib/api/version.rb): authenticated only,
// the release and its revision.
func (s *Sim) getVersion(rc *requestContext) {
	if !rc.authenticated() {
		return
	}
	writeJSON(rc.w, http.StatusOK, map[string]string{"version": Version, "revision": "8c6ac5a3f1f"})
}
