package gitlabsim

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// The types below mirror GitLab's Grape entities field for field (lib/api/entities).
// Pointers render as JSON null where GitLab exposes nil.

const isoMillis = "2006-01-02T15:04:05.000Z07:00"

// stamp renders a time as GitLab does: UTC, milliseconds, "Z"; the zero time is null.
func stamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(isoMillis)
	return &s
}

// gitStamp renders a commit date in the author's zone, as Gitaly hands it to Rails.
func gitStamp(t time.Time, zone *time.Location) string {
	return t.In(zone).Format("2006-01-02T15:04:05.000-07:00")
}

func seconds(from, to time.Time) *float64 {
	if from.IsZero() || to.IsZero() {
		return nil
	}
	d := math.Round(to.Sub(from).Seconds()*1000) / 1000
	return &d
}

// userEntity is Entities::User. Bio and Location are null when the user never set
// them, as the entity exposes the nil columns.
type userEntity struct {
	userBasicEntity
	CreatedAt       *string `json:"created_at,omitempty"`
	Bio             *string `json:"bio"`
	Location        *string `json:"location"`
	PublicEmail     string  `json:"public_email"`
	Skype           string  `json:"skype"`
	Linkedin        string  `json:"linkedin"`
	Twitter         string  `json:"twitter"`
	Discord         string  `json:"discord"`
	WebsiteURL      string  `json:"website_url"`
	Organization    string  `json:"organization"`
	JobTitle        string  `json:"job_title"`
	Pronouns        *string `json:"pronouns"`
	Bot             bool    `json:"bot"`
	WorkInformation *string `json:"work_information"`
	Followers       int     `json:"followers"`
	Following       int     `json:"following"`
	// IsFollowed is exposed only when the presenter passes current_user (the users
	// API does, the jobs API does not); nobody follows anybody in the world.
	IsFollowed *bool `json:"is_followed,omitempty"`
	// LocalTime is the user's wall clock ("3:38 PM"), null without a timezone.
	LocalTime *string `json:"local_time"`
}

type userBasicEntity struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	Name      string `json:"name"`
	State     string `json:"state"`
	AvatarURL string `json:"avatar_url"`
	WebURL    string `json:"web_url"`
}

// currentUserEntity is Entities::UserPublic, what GET /user shows the owner.
type currentUserEntity struct {
	userEntity
	LastSignInAt      *string `json:"last_sign_in_at"`
	ConfirmedAt       *string `json:"confirmed_at"`
	LastActivityOn    string  `json:"last_activity_on"`
	Email             string  `json:"email"`
	ThemeID           int     `json:"theme_id"`
	ColorSchemeID     int     `json:"color_scheme_id"`
	ProjectsLimit     int     `json:"projects_limit"`
	CurrentSignInAt   *string `json:"current_sign_in_at"`
	Identities        []any   `json:"identities"`
	CanCreateGroup    bool    `json:"can_create_group"`
	CanCreateProject  bool    `json:"can_create_project"`
	TwoFactorEnabled  bool    `json:"two_factor_enabled"`
	External          bool    `json:"external"`
	PrivateProfile    bool    `json:"private_profile"`
	CommitEmail       string  `json:"commit_email"`
	PreferredLanguage string  `json:"preferred_language"`
}

type commitEntity struct {
	ID             string   `json:"id"`
	ShortID        string   `json:"short_id"`
	CreatedAt      string   `json:"created_at"`
	ParentIDs      []string `json:"parent_ids"`
	Title          string   `json:"title"`
	Message        string   `json:"message"`
	AuthorName     string   `json:"author_name"`
	AuthorEmail    string   `json:"author_email"`
	AuthoredDate   string   `json:"authored_date"`
	CommitterName  string   `json:"committer_name"`
	CommitterEmail string   `json:"committer_email"`
	CommittedDate  string   `json:"committed_date"`
	// The simulated repositories carry no Git trailers; GitLab then sends
	// empty objects.
	Trailers         map[string]string   `json:"trailers"`
	ExtendedTrailers map[string][]string `json:"extended_trailers"`
	WebURL           string              `json:"web_url"`
}

type commitStats struct {
	Additions int `json:"additions"`
	Deletions int `json:"deletions"`
	Total     int `json:"total"`
}

type commitDetailEntity struct {
	commitEntity
	Stats        *commitStats         `json:"stats,omitempty"`
	Status       *string              `json:"status"`
	ProjectID    int64                `json:"project_id"`
	LastPipeline *pipelineBasicEntity `json:"last_pipeline"`
}

type pipelineBasicEntity struct {
	ID        int64   `json:"id"`
	IID       int64   `json:"iid"`
	ProjectID int64   `json:"project_id"`
	SHA       string  `json:"sha"`
	Ref       string  `json:"ref"`
	Status    string  `json:"status"`
	Source    string  `json:"source"`
	CreatedAt *string `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
	WebURL    string  `json:"web_url"`
}

// pipelineListEntity is Entities::Ci::PipelineBasicWithMetadata.
type pipelineListEntity struct {
	pipelineBasicEntity
	Name *string `json:"name"`
}

type detailedStatus struct {
	Icon         string  `json:"icon"`
	Text         string  `json:"text"`
	Label        string  `json:"label"`
	Group        string  `json:"group"`
	Tooltip      string  `json:"tooltip"`
	HasDetails   bool    `json:"has_details"`
	DetailsPath  string  `json:"details_path"`
	Illustration *string `json:"illustration"`
	Favicon      string  `json:"favicon"`
}

// pipelineEntity is Entities::Ci::PipelineWithMetadata, the single-pipeline view.
type pipelineEntity struct {
	pipelineBasicEntity
	BeforeSHA      string           `json:"before_sha"`
	Tag            bool             `json:"tag"`
	YAMLErrors     *string          `json:"yaml_errors"`
	User           *userBasicEntity `json:"user"`
	StartedAt      *string          `json:"started_at"`
	FinishedAt     *string          `json:"finished_at"`
	CommittedAt    *string          `json:"committed_at"`
	Duration       *int64           `json:"duration"`
	QueuedDuration *int64           `json:"queued_duration"`
	Coverage       *string          `json:"coverage"`
	DetailedStatus detailedStatus   `json:"detailed_status"`
	Name           *string          `json:"name"`
}

type artifactFileEntity struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

type artifactEntity struct {
	FileType   string `json:"file_type"`
	Size       int64  `json:"size"`
	Filename   string `json:"filename"`
	FileFormat string `json:"file_format"`
}

type runnerEntity struct {
	ID                 int64   `json:"id"`
	Description        string  `json:"description"`
	IPAddress          *string `json:"ip_address"`
	Active             bool    `json:"active"`
	Paused             bool    `json:"paused"`
	IsShared           bool    `json:"is_shared"`
	RunnerType         string  `json:"runner_type"`
	Name               string  `json:"name"`
	Online             bool    `json:"online"`
	CreatedAt          *string `json:"created_at"`
	Status             string  `json:"status"`
	JobExecutionStatus string  `json:"job_execution_status"`
}

type runnerManagerEntity struct {
	ID                 int64   `json:"id"`
	SystemID           string  `json:"system_id"`
	Version            string  `json:"version"`
	Revision           string  `json:"revision"`
	Platform           string  `json:"platform"`
	Architecture       string  `json:"architecture"`
	CreatedAt          *string `json:"created_at"`
	ContactedAt        *string `json:"contacted_at"`
	IPAddress          string  `json:"ip_address"`
	Status             string  `json:"status"`
	JobExecutionStatus string  `json:"job_execution_status"`
}

type jobProjectEntity struct {
	CIJobTokenScopeEnabled bool `json:"ci_job_token_scope_enabled"`
}

// jobBasicEntity is Entities::Ci::JobBasic.
type jobBasicEntity struct {
	ID             int64               `json:"id"`
	Status         string              `json:"status"`
	Stage          string              `json:"stage"`
	Name           string              `json:"name"`
	Ref            string              `json:"ref"`
	Tag            bool                `json:"tag"`
	Coverage       *float64            `json:"coverage"`
	AllowFailure   bool                `json:"allow_failure"`
	CreatedAt      *string             `json:"created_at"`
	StartedAt      *string             `json:"started_at"`
	FinishedAt     *string             `json:"finished_at"`
	ErasedAt       *string             `json:"erased_at"`
	Duration       *float64            `json:"duration"`
	QueuedDuration *float64            `json:"queued_duration"`
	User           *userEntity         `json:"user"`
	Commit         commitEntity        `json:"commit"`
	Pipeline       pipelineBasicEntity `json:"pipeline"`
	FailureReason  string              `json:"failure_reason,omitempty"`
	WebURL         string              `json:"web_url"`
	Project        jobProjectEntity    `json:"project"`
}

// jobEntity is Entities::Ci::Job.
type jobEntity struct {
	jobBasicEntity
	ArtifactsFile *artifactFileEntity `json:"artifacts_file,omitempty"`
	Artifacts     []artifactEntity    `json:"artifacts"`
	Runner        *runnerEntity       `json:"runner"`
	// RunnerManager holds a *runnerManagerEntity for builds (nil renders null) and
	// stays nil for bridges so the key is left out: GitLab exposes it only
	// if job.is_a?(Ci::Build), and retrying a bridge renders this entity.
	RunnerManager     any      `json:"runner_manager,omitempty"`
	ArtifactsExpireAt *string  `json:"artifacts_expire_at"`
	Archived          bool     `json:"archived"`
	TagList           []string `json:"tag_list"`
}

// bridgeEntity is Entities::Ci::Bridge.
type bridgeEntity struct {
	jobBasicEntity
	DownstreamPipeline *pipelineBasicEntity `json:"downstream_pipeline"`
}

type namespaceEntity struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

type projectEntity struct {
	ID                int64           `json:"id"`
	Description       string          `json:"description"`
	Name              string          `json:"name"`
	NameWithNamespace string          `json:"name_with_namespace"`
	Path              string          `json:"path"`
	PathWithNamespace string          `json:"path_with_namespace"`
	CreatedAt         *string         `json:"created_at"`
	DefaultBranch     string          `json:"default_branch"`
	TagList           []string        `json:"tag_list"`
	Topics            []string        `json:"topics"`
	SSHURLToRepo      string          `json:"ssh_url_to_repo"`
	HTTPURLToRepo     string          `json:"http_url_to_repo"`
	WebURL            string          `json:"web_url"`
	ReadmeURL         string          `json:"readme_url"`
	ForksCount        int             `json:"forks_count"`
	AvatarURL         *string         `json:"avatar_url"`
	StarCount         int             `json:"star_count"`
	LastActivityAt    *string         `json:"last_activity_at"`
	Namespace         namespaceEntity `json:"namespace"`
	Visibility        string          `json:"visibility"`
	Archived          bool            `json:"archived"`
	EmptyRepo         bool            `json:"empty_repo"`
	JobsEnabled       bool            `json:"jobs_enabled"`
	BuildsAccessLevel string          `json:"builds_access_level"`
	PublicJobs        bool            `json:"public_jobs"`
	CreatorID         int64           `json:"creator_id"`
	OpenIssuesCount   int             `json:"open_issues_count"`
	CIConfigPath      *string         `json:"ci_config_path"`
	UpdatedAt         *string         `json:"updated_at"`
}

// render builds entities for one request; base is the instance URL without a trailing
// slash. A page of jobs shares few users, commits and pipelines, so it renders each once.
type render struct {
	w         *world
	base      string
	users     map[int64]*userEntity
	commits   map[*commit]commitEntity
	pipelines map[*pipeline]pipelineBasicEntity
	// busyRunners is filled on first use: which runners run a job right now.
	busyRunners map[*runner]bool
}

// executionStatus is "active" while the runner has a running job, else "idle".
func (r *render) executionStatus(rn *runner) string {
	if r.busyRunners == nil {
		r.busyRunners = map[*runner]bool{}
		for _, pl := range r.w.activePipelines() {
			for _, j := range pl.Jobs {
				if j.Status == "running" && j.Runner != nil {
					r.busyRunners[j.Runner] = true
				}
			}
		}
	}
	if r.busyRunners[rn] {
		return "active"
	}
	return "idle"
}

func newRender(w *world, base string) *render {
	return &render{
		w: w, base: base, users: map[int64]*userEntity{},
		commits: map[*commit]commitEntity{}, pipelines: map[*pipeline]pipelineBasicEntity{},
	}
}

func (r *render) user(id int64) *userEntity {
	if e, ok := r.users[id]; ok {
		return e
	}
	e := r.renderUser(id)
	r.users[id] = e
	return e
}

func (r *render) renderUser(id int64) *userEntity {
	u := r.w.usersByID[id]
	if u == nil {
		return nil
	}
	return &userEntity{
		userBasicEntity: r.userBasic(u), CreatedAt: stamp(u.CreatedAt), Bio: nonEmpty(u.Bio), Location: nonEmpty(u.Location),
		Organization: u.Organization, JobTitle: u.JobTitle, Bot: u.Bot,
		WorkInformation: workInformation(u), LocalTime: localTime(u.Timezone, r.w.now),
	}
}

// withCurrentUser is the entity as the users API presents it: with current_user,
// which adds is_followed.
func (e userEntity) withCurrentUser() userEntity {
	followed := false
	e.IsFollowed = &followed
	return e
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// localTime is TimeZoneHelper#local_time: now in the user's zone as "%-l:%M %p",
// nil without a zone.
func localTime(zone *time.Location, now time.Time) *string {
	if zone == nil {
		return nil
	}
	s := now.In(zone).Format("3:04 PM")
	return &s
}

func workInformation(u *user) *string {
	switch {
	case u.JobTitle != "" && u.Organization != "":
		s := u.JobTitle + " at " + u.Organization
		return &s
	case u.JobTitle != "":
		return &u.JobTitle
	case u.Organization != "":
		return &u.Organization
	}
	return nil
}

func (r *render) userBasic(u *user) userBasicEntity {
	sum := md5.Sum([]byte(u.Email))
	return userBasicEntity{
		ID: u.ID, Username: u.Username, Name: u.Name, State: "active",
		AvatarURL: "https://www.gravatar.com/avatar/" + hex.EncodeToString(sum[:]) + "?s=80&d=identicon",
		WebURL:    r.base + "/" + u.Username,
	}
}

// commit renders a commit of project p (a commit belongs to one project here).
func (r *render) commit(p *project, c *commit) commitEntity {
	if e, ok := r.commits[c]; ok {
		return e
	}
	parents := c.ParentIDs
	if parents == nil {
		parents = []string{}
	}
	e := commitEntity{
		ID: c.SHA, ShortID: c.SHA[:8], CreatedAt: gitStamp(c.CommittedAt, c.Zone), ParentIDs: parents,
		Title: c.Title, Message: c.Message, AuthorName: c.AuthorName, AuthorEmail: c.AuthorEmail,
		AuthoredDate: gitStamp(c.AuthoredAt, c.Zone), CommitterName: c.CommitterName,
		CommitterEmail: c.CommitterEmail, CommittedDate: gitStamp(c.CommittedAt, c.Zone),
		Trailers: map[string]string{}, ExtendedTrailers: map[string][]string{},
		WebURL: fmt.Sprintf("%s/%s/-/commit/%s", r.base, p.fullPath(), c.SHA),
	}
	r.commits[c] = e
	return e
}

func (r *render) commitDetail(p *project, c *commit) commitDetailEntity {
	out := commitDetailEntity{
		commitEntity: r.commit(p, c), ProjectID: p.ID,
		Stats: &commitStats{Additions: c.Additions, Deletions: c.Deletions, Total: c.Additions + c.Deletions},
	}
	for i := len(p.Pipelines) - 1; i >= 0; i-- {
		if pl := p.Pipelines[i]; pl.Commit == c {
			basic := r.pipelineBasic(pl)
			out.LastPipeline, out.Status = &basic, &pl.Status
			break
		}
	}
	return out
}

func (r *render) pipelineBasic(pl *pipeline) pipelineBasicEntity {
	if e, ok := r.pipelines[pl]; ok {
		return e
	}
	e := pipelineBasicEntity{
		ID: pl.ID, IID: pl.IID, ProjectID: pl.Project.ID, SHA: pl.Commit.SHA, Ref: pl.Ref, Status: pl.Status,
		Source: pl.Source, CreatedAt: stamp(pl.CreatedAt), UpdatedAt: stamp(pl.UpdatedAt),
		WebURL: fmt.Sprintf("%s/%s/-/pipelines/%d", r.base, pl.Project.fullPath(), pl.ID),
	}
	r.pipelines[pl] = e
	return e
}

func (r *render) pipelineListItem(pl *pipeline) pipelineListEntity {
	out := pipelineListEntity{pipelineBasicEntity: r.pipelineBasic(pl)}
	if pl.Name != "" {
		out.Name = &pl.Name
	}
	return out
}

func (r *render) pipeline(pl *pipeline) pipelineEntity {
	out := pipelineEntity{
		pipelineBasicEntity: r.pipelineBasic(pl), BeforeSHA: pl.BeforeSHA, Tag: pl.Tag,
		StartedAt: stamp(pl.StartedAt), FinishedAt: stamp(pl.FinishedAt), CommittedAt: stamp(pl.Commit.CommittedAt),
		DetailedStatus: r.detailedStatus(pl),
	}
	if u := r.w.usersByID[pl.UserID]; u != nil {
		b := r.userBasic(u)
		out.User = &b
	}
	if pl.Name != "" {
		out.Name = &pl.Name
	}
	if !pl.StartedAt.IsZero() && !pl.FinishedAt.IsZero() {
		d := int64(pl.FinishedAt.Sub(pl.StartedAt).Seconds())
		out.Duration = &d
	}
	if !pl.StartedAt.IsZero() {
		q := int64(pl.StartedAt.Sub(pl.CreatedAt).Seconds())
		out.QueuedDuration = &q
	}
	out.Coverage = pipelineCoverage(pl)
	return out
}

// pipelineCoverage averages the latest jobs' coverage and renders it with two
// decimals as a string, as Ci::Pipeline#coverage does.
func pipelineCoverage(pl *pipeline) *string {
	var sum float64
	var n int
	for _, j := range pl.Jobs {
		if !j.Retried && j.Coverage != nil {
			sum += *j.Coverage
			n++
		}
	}
	if n == 0 {
		return nil
	}
	s := fmt.Sprintf("%.2f", sum/float64(n))
	return &s
}

var statusLooks = map[string][2]string{
	"created": {"status_created", "created"}, "waiting_for_resource": {"status_pending", "waiting"},
	"preparing": {"status_preparing", "preparing"}, "waiting_for_callback": {"status_pending", "waiting"},
	"pending": {"status_pending", "pending"},
	"running": {"status_running", "running"}, "success": {"status_success", "passed"},
	"failed": {"status_failed", "failed"}, "canceling": {"status_canceled", "canceling"},
	"canceled": {"status_canceled", "canceled"}, "skipped": {"status_skipped", "skipped"},
	"manual": {"status_manual", "manual action"}, "scheduled": {"status_scheduled", "delayed"},
}

func (r *render) detailedStatus(pl *pipeline) detailedStatus {
	look := statusLooks[pl.Status]
	path := fmt.Sprintf("/%s/-/pipelines/%d", pl.Project.fullPath(), pl.ID)
	return detailedStatus{
		Icon: look[0], Text: look[1], Label: look[1], Group: pl.Status, Tooltip: look[1], HasDetails: true,
		DetailsPath: path, Favicon: "/assets/ci_favicons/favicon_" + look[0] + ".png",
	}
}

func (r *render) jobBasic(j *job) jobBasicEntity {
	out := jobBasicEntity{
		ID: j.ID, Status: j.Status, Stage: j.Stage, Name: j.Name, Ref: j.Pipeline.Ref, Tag: j.Pipeline.Tag,
		Coverage: j.Coverage, AllowFailure: j.AllowFailure, CreatedAt: stamp(j.CreatedAt),
		StartedAt: stamp(j.StartedAt), FinishedAt: stamp(j.FinishedAt), ErasedAt: stamp(j.ErasedAt),
		User: r.user(j.UserID), Commit: r.commit(j.Pipeline.Project, j.Pipeline.Commit), Pipeline: r.pipelineBasic(j.Pipeline),
		WebURL: fmt.Sprintf("%s/%s/-/jobs/%d", r.base, j.Project.fullPath(), j.ID),
	}
	// A running job's duration keeps growing until it finishes (Ci::Build#duration).
	end := j.FinishedAt
	if end.IsZero() && !j.StartedAt.IsZero() {
		end = r.w.now
	}
	out.Duration = seconds(j.StartedAt, end)
	if !j.QueuedAt.IsZero() {
		until := j.StartedAt
		if until.IsZero() {
			until = r.w.now
		}
		out.QueuedDuration = seconds(j.QueuedAt, until)
	}
	if j.Status == "failed" {
		out.FailureReason = j.FailureReason
	}
	return out
}

func (r *render) job(j *job) jobEntity {
	out := jobEntity{jobBasicEntity: r.jobBasic(j), Artifacts: []artifactEntity{}, ArtifactsExpireAt: stamp(j.ArtifactsUntil)}
	if j.Kind == kindBuild {
		out.RunnerManager = (*runnerManagerEntity)(nil)
	}
	for _, a := range j.Artifacts {
		out.Artifacts = append(out.Artifacts, artifactEntity(a))
		if a.FileType == "archive" {
			out.ArtifactsFile = &artifactFileEntity{Filename: a.Filename, Size: a.Size}
		}
	}
	if rn := j.Runner; rn != nil {
		execution := r.executionStatus(rn)
		registered := stamp(worldEpoch.AddDate(0, -6, 0))
		out.Runner = &runnerEntity{
			ID: rn.ID, Description: rn.Description, Active: true, IsShared: rn.Shared, RunnerType: rn.RunnerType,
			Name: "gitlab-runner", Online: true, CreatedAt: registered, Status: "online", JobExecutionStatus: execution,
		}
		if j.Kind == kindBuild {
			out.RunnerManager = &runnerManagerEntity{
				ID: rn.ID * 100, SystemID: rn.SystemID, Version: rn.Version, Revision: rn.Revision, Platform: "linux",
				Architecture: "amd64", CreatedAt: registered, ContactedAt: stamp(r.w.now),
				IPAddress: fmt.Sprintf("10.0.0.%d", rn.ID), Status: "online", JobExecutionStatus: execution,
			}
		}
	}
	out.TagList = slices.Sorted(slices.Values(j.Tags))
	if out.TagList == nil {
		out.TagList = []string{}
	}
	return out
}

func (r *render) bridge(j *job) bridgeEntity {
	out := bridgeEntity{jobBasicEntity: r.jobBasic(j)}
	if j.Downstream != nil {
		d := r.pipelineBasic(j.Downstream)
		out.DownstreamPipeline = &d
	}
	return out
}

func (r *render) project(p *project) projectEntity {
	web := r.base + "/" + p.fullPath()
	host := strings.TrimPrefix(strings.TrimPrefix(r.base, "https://"), "http://")
	parent := p.Namespace.ParentID
	topics := p.Topics
	if topics == nil {
		topics = []string{}
	}
	return projectEntity{
		ID: p.ID, Description: p.Description, Name: p.Name, NameWithNamespace: p.nameWithNamespace(), Path: p.Path,
		PathWithNamespace: p.fullPath(), CreatedAt: stamp(p.CreatedAt), DefaultBranch: p.DefaultBranch,
		TagList: topics, Topics: topics, SSHURLToRepo: "git@" + host + ":" + p.fullPath() + ".git",
		HTTPURLToRepo: web + ".git", WebURL: web, ReadmeURL: web + "/-/blob/main/README.md",
		ForksCount: p.ForksCount, StarCount: p.StarCount, LastActivityAt: stamp(p.LastActivityAt),
		Namespace: namespaceEntity{
			ID: p.Namespace.ID, Name: p.Namespace.Name, Path: p.Namespace.Path, Kind: "group",
			FullPath: p.Namespace.FullPath, ParentID: &parent, WebURL: r.base + "/groups/" + p.Namespace.FullPath,
		},
		Visibility: string(p.Visibility), JobsEnabled: true, BuildsAccessLevel: "enabled", PublicJobs: true,
		CreatorID: UserRoot, UpdatedAt: stamp(p.LastActivityAt),
	}
}
