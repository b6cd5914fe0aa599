// Package model holds the GraphQL object types that gqlgen binds to.
//
// Node types carry the ids their resolvers need to reach GitLab again (a job's
// project, a commit's project) besides the fields GitLab's list responses embed.
// Fields that only a full REST object carries are absent here on purpose: gqlgen
// turns them into resolvers, which fetch the full object only when a query asks.
package model

import (
	"errors"
	"fmt"
	"time"

	"jobgraph/graph/globalid"
)

// Node is implemented by every type with a global id.
type Node interface {
	IsNode()
	GetID() string
}

// Project is a GitLab project. Key names it in REST paths (its numeric id, or
// its full path when only that is known); the other fields are zero when the
// query asked for none of them and the project was not fetched.
type Project struct {
	Key                  string
	DatabaseID           int64
	Name                 string
	NameWithNamespace    string
	Path                 string
	FullPath             string
	Description          *string
	DefaultBranch        *string
	Visibility           *ProjectVisibility
	WebURL               string
	AvatarURL            *string
	Topics               []string
	Archived             bool
	CreatedAt            *time.Time
	LastActivityAt       *time.Time
	Namespace            *Namespace
	SSHURLToRepo         *string
	HTTPURLToRepo        *string
	ReadmeURL            *string
	ForksCount           int
	StarCount            int
	EmptyRepo            bool
	CreatorID            *int
	BuildsAccessLevel    *string
	JobsEnabled          bool
	PublicJobs           bool
	SharedRunnersEnabled bool
	CIConfigPath         *string
}

func (p *Project) IsNode()       {}
func (p *Project) ID() string    { return globalid.Project(p.DatabaseID).String() }
func (p *Project) GetID() string { return p.ID() }

// Namespace is a project's namespace as GitLab embeds it in the project.
type Namespace struct {
	DatabaseID int
	Name       string
	Path       string
	Kind       string
	FullPath   string
	ParentID   *int
	AvatarURL  *string
	WebURL     string
}

func (n *Namespace) ID() string { return globalid.Namespace(int64(n.DatabaseID)).String() }

// CommonJobFields are what GitLab's job and bridge entities share (both are
// CommitStatus records).
type CommonJobFields struct {
	DatabaseID     int64
	ProjectID      int64
	Name           string
	Stage          string
	RawStatus      CiStatus
	Ref            string
	Tag            bool
	Coverage       *float64
	AllowFailure   bool
	CreatedAt      *time.Time
	StartedAt      *time.Time
	FinishedAt     *time.Time
	ErasedAt       *time.Time
	Duration       *float64
	QueuedDuration *float64
	FailureReason  *string
	WebURL         string
	User           *User
	Commit         *Commit
	Pipeline       *Pipeline
}

// Status is the job's status, checked against the schema's enum.
func (c *CommonJobFields) Status() (CiStatus, error) { return checked(c.RawStatus) }

// Job is a CI job as GitLab's job entity describes it.
type Job struct {
	CommonJobFields
	TagList           []string
	Archived          bool
	ArtifactsExpireAt *time.Time
	Artifacts         []*JobArtifact
	ArtifactsFile     *ArtifactsFile
	Runner            *Runner
	RunnerManager     *RunnerManager
	// CIJobTokenScopeEnabled is from the job entity's project.
	CIJobTokenScopeEnabled *bool
}

func (j *Job) IsNode()       {}
func (j *Job) ID() string    { return globalid.Job(j.ProjectID, j.DatabaseID).String() }
func (j *Job) GetID() string { return j.ID() }

// Runner is the runner GitLab embeds in a job.
type Runner struct {
	DatabaseID  int
	Description *string
	IPAddress   *string
	Name        *string
	RunnerType  *string
	IsShared    bool
	Active      bool
	Paused      bool
	Online      *bool
	Status      *string
}

func (r *Runner) ID() string { return globalid.Runner(int64(r.DatabaseID)).String() }

// RunnerManager is the runner process GitLab embeds in a job.
type RunnerManager struct {
	DatabaseID   int
	SystemID     *string
	Version      *string
	Revision     *string
	Platform     *string
	Architecture *string
	CreatedAt    *time.Time
	ContactedAt  *time.Time
	IPAddress    *string
	Status       *string
}

func (m *RunnerManager) ID() string { return globalid.RunnerManager(int64(m.DatabaseID)).String() }

// Bridge is a trigger job.
type Bridge struct {
	CommonJobFields
	PipelineID         int64
	DownstreamPipeline *Pipeline
}

func (b *Bridge) IsNode() {}
func (b *Bridge) ID() string {
	return globalid.Bridge(b.ProjectID, b.PipelineID, b.DatabaseID).String()
}
func (b *Bridge) GetID() string { return b.ID() }

// Pipeline holds the fields every pipeline response carries (GitLab's basic
// pipeline entity). Detail is set when the full entity is at hand; resolvers of
// the other fields load it on demand.
type Pipeline struct {
	DatabaseID   int64
	Iid          int64
	ProjectID    int64
	Sha          string
	Ref          string
	RawStatus    CiStatus
	Source       *string
	WorkflowName *string
	CreatedAt    *time.Time
	UpdatedAt    *time.Time
	WebURL       string
	Detail       *PipelineDetail
}

func (p *Pipeline) IsNode()       {}
func (p *Pipeline) ID() string    { return globalid.Pipeline(p.ProjectID, p.DatabaseID).String() }
func (p *Pipeline) GetID() string { return p.ID() }

// PipelineDetail is what only the single-pipeline endpoint returns.
type PipelineDetail struct {
	BeforeSha      *string
	Tag            *bool
	YamlErrors     *string
	User           *User
	StartedAt      *time.Time
	FinishedAt     *time.Time
	CommittedAt    *time.Time
	Duration       *float64
	QueuedDuration *float64
	Coverage       *float64
	DetailedStatus *DetailedStatus
}

// Commit holds the fields a job's embedded commit carries. Detail is set when
// the single-commit response is at hand.
type Commit struct {
	ProjectID        int64
	Sha              string
	ShortID          string
	Title            string
	Message          string
	AuthorName       *string
	AuthorEmail      *string
	AuthoredDate     *time.Time
	CommitterName    *string
	CommitterEmail   *string
	CommittedDate    *time.Time
	CreatedAt        *time.Time
	ParentIds        []string
	WebURL           string
	Trailers         []*CommitTrailer
	ExtendedTrailers []*CommitTrailerValues
	Detail           *CommitDetail
}

func (c *Commit) IsNode()       {}
func (c *Commit) ID() string    { return globalid.Commit(c.ProjectID, c.Sha).String() }
func (c *Commit) GetID() string { return c.ID() }

// CommitDetail is what only the single-commit endpoint returns.
type CommitDetail struct {
	Stats     *CommitStats
	RawStatus *CiStatus
	// LastPipeline is the commit's latest pipeline.
	LastPipeline *Pipeline
}

// PipelineStatus is the commit's combined status, checked against the
// schema's enum; nil when no pipeline ran for the commit.
func (d *CommitDetail) PipelineStatus() (*CiStatus, error) {
	if d.RawStatus == nil {
		return nil, nil
	}
	s, err := checked(*d.RawStatus)
	return &s, err
}

// User is a GitLab user as embedded in jobs and returned by the users API.
type User struct {
	DatabaseID      int64
	Username        string
	Name            string
	State           string
	Locked          *bool
	AvatarURL       *string
	WebURL          string
	CreatedAt       *time.Time
	Bio             *string
	Location        *string
	PublicEmail     *string
	Linkedin        *string
	Twitter         *string
	Discord         *string
	WebsiteURL      *string
	Organization    *string
	JobTitle        *string
	Pronouns        *string
	Bot             *bool
	Skype           *string
	WorkInformation *string
	Followers       *int
	Following       *int
	LocalTime       *string
	IsFollowed      *bool
	Email           *string
}

func (u *User) IsNode()       {}
func (u *User) ID() string    { return globalid.User(u.DatabaseID).String() }
func (u *User) GetID() string { return u.ID() }

// ErrUnknownStatus is returned for a status GitLab sent that the schema does
// not know: serving it would break clients that generated code from the
// schema's enum, so the field fails instead.
var ErrUnknownStatus = errors.New("GitLab sent a status this API does not know")

// Status is the pipeline's status, checked against the schema's enum.
func (p *Pipeline) Status() (CiStatus, error) { return checked(p.RawStatus) }

func checked[S interface{ IsValid() bool }](s S) (S, error) {
	if !s.IsValid() {
		return s, fmt.Errorf("%w: %v", ErrUnknownStatus, s)
	}
	return s, nil
}
