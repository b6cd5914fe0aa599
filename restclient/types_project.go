package restclient

import "time"

// Project carries the fields of Entities::BasicProjectDetails and the parts of
// Entities::Project a CI dashboard needs. Fields GitLab shows only to members
// with code access are empty for others.
type Project struct {
	ID                   int64      `json:"id"`
	Description          *string    `json:"description"`
	Name                 string     `json:"name"`
	NameWithNamespace    string     `json:"name_with_namespace"`
	Path                 string     `json:"path"`
	PathWithNamespace    string     `json:"path_with_namespace"`
	CreatedAt            *time.Time `json:"created_at"`
	DefaultBranch        string     `json:"default_branch"`
	TagList              []string   `json:"tag_list"`
	Topics               []string   `json:"topics"`
	SSHURLToRepo         string     `json:"ssh_url_to_repo"`
	HTTPURLToRepo        string     `json:"http_url_to_repo"`
	WebURL               string     `json:"web_url"`
	ReadmeURL            *string    `json:"readme_url"`
	ForksCount           int        `json:"forks_count"`
	AvatarURL            *string    `json:"avatar_url"`
	StarCount            int        `json:"star_count"`
	LastActivityAt       *time.Time `json:"last_activity_at"`
	Namespace            *Namespace `json:"namespace"`
	Visibility           string     `json:"visibility"`
	Archived             bool       `json:"archived"`
	EmptyRepo            bool       `json:"empty_repo"`
	CreatorID            int64      `json:"creator_id"`
	BuildsAccessLevel    string     `json:"builds_access_level"`
	JobsEnabled          bool       `json:"jobs_enabled"`
	PublicJobs           bool       `json:"public_jobs"`
	SharedRunnersEnabled bool       `json:"shared_runners_enabled"`
	CIConfigPath         *string    `json:"ci_config_path"`
}

// Namespace is Entities::NamespaceBasic, the group or user owning a project.
type Namespace struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Path      string `json:"path"`
	Kind      string `json:"kind"`
	FullPath  string `json:"full_path"`
	ParentID  *int64 `json:"parent_id"`
	AvatarURL string `json:"avatar_url"`
	WebURL    string `json:"web_url"`
}
