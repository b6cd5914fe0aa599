package gitlabsim

import "strconv"

// projectLinks is the _links block of Entities::Project: API URLs of the project's
// resources. issues and merge_requests are exposed while those features are
// available to the caller, which they are to anyone who can read a seeded project.
type projectLinks struct {
	Self          string `json:"self"`
	Issues        string `json:"issues"`
	MergeRequests string `json:"merge_requests"`
	RepoBranches  string `json:"repo_branches"`
	Labels        string `json:"labels"`
	Events        string `json:"events"`
	Members       string `json:"members"`
	ClusterAgents string `json:"cluster_agents"`
}

// memberAccess is Entities::MemberAccess (ProjectAccess, GroupAccess).
type memberAccess struct {
	AccessLevel int `json:"access_level"`
	// NotificationLevel is NotificationSetting.levels of the member's setting;
	// every seeded member keeps the default, global (3).
	NotificationLevel int `json:"notification_level"`
}

const notificationLevelGlobal = 3

type projectPermissions struct {
	ProjectAccess *memberAccess `json:"project_access"`
	// GroupAccess is the caller's highest membership in the project's group; the
	// world grants access on projects only, so it is always null.
	GroupAccess *memberAccess `json:"group_access"`
}

// projectWithAccessEntity is Entities::ProjectWithAccess, what GET /projects/:id
// presents to an authenticated caller.
type projectWithAccessEntity struct {
	projectEntity
	Links       projectLinks       `json:"_links"`
	Permissions projectPermissions `json:"permissions"`
}

func (r *render) projectWithAccess(p *project, level int) projectWithAccessEntity {
	api := r.base + "/api/v4/projects/" + strconv.FormatInt(p.ID, 10)
	out := projectWithAccessEntity{
		projectEntity: r.project(p),
		Links: projectLinks{
			Self: api, Issues: api + "/issues", MergeRequests: api + "/merge_requests",
			RepoBranches: api + "/repository/branches", Labels: api + "/labels", Events: api + "/events",
			Members: api + "/members", ClusterAgents: api + "/cluster_agents",
		},
	}
	if level > accessNone {
		out.Permissions.ProjectAccess = &memberAccess{AccessLevel: level, NotificationLevel: notificationLevelGlobal}
	}
	return out
}
