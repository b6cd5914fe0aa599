package gitlabsim

import (
	"strings"
	"time"
)

// Access levels as GitLab numbers them (Gitlab::Access).
const (
	accessNone       = 0
	accessGuest      = 10
	accessDeveloper  = 30
	accessMaintainer = 40
)

type visibility string

const (
	visibilityPrivate  visibility = "private"
	visibilityInternal visibility = "internal"
	visibilityPublic   visibility = "public"
)

type user struct {
	ID           int64
	Username     string
	Name         string
	Email        string
	Bio          string
	Location     string
	Organization string
	JobTitle     string
	Bot          bool
	CreatedAt    time.Time
	// Timezone is the profile's time zone; nil when the user never picked one.
	Timezone *time.Location
}

type namespace struct {
	ID       int64
	Name     string
	Path     string
	FullPath string
	ParentID int64
}

type project struct {
	ID             int64
	Name           string
	Path           string
	Description    string
	Namespace      namespace
	Visibility     visibility
	DefaultBranch  string
	CreatedAt      time.Time
	LastActivityAt time.Time
	StarCount      int
	ForksCount     int
	Topics         []string
	Members        map[int64]int

	// Ordered by id ascending; the world only ever appends higher ids.
	Jobs      []*job
	Pipelines []*pipeline
	Commits   map[string]*commit
}

func (p *project) fullPath() string { return p.Namespace.FullPath + "/" + p.Path }

func (p *project) nameWithNamespace() string { return p.Namespace.Name + " / " + p.Name }

type commit struct {
	SHA            string
	ParentIDs      []string
	Title          string
	Message        string
	AuthorName     string
	AuthorEmail    string
	AuthoredAt     time.Time
	CommitterName  string
	CommitterEmail string
	CommittedAt    time.Time
	// Git keeps the author's zone; GitLab renders commit dates in it.
	Zone      *time.Location
	Additions int
	Deletions int
}

type pipeline struct {
	ID         int64
	IID        int64
	Project    *project
	Commit     *commit
	Ref        string
	Tag        bool
	Source     string
	Name       string
	UserID     int64
	BeforeSHA  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Status     string
	Jobs       []*job
}

type artifact struct {
	FileType   string
	Size       int64
	Filename   string
	FileFormat string
}

type runner struct {
	ID          int64
	Description string
	RunnerType  string
	Shared      bool
	SystemID    string
	Version     string
	Revision    string
}

type variable struct {
	Key, Value string
}

type jobKind int

const (
	kindBuild jobKind = iota
	kindBridge
)

type job struct {
	ID             int64
	Kind           jobKind
	Project        *project
	Pipeline       *pipeline
	Name           string
	Stage          string
	Status         string
	When           string
	AllowFailure   bool
	Coverage       *float64
	CreatedAt      time.Time
	QueuedAt       time.Time
	StartedAt      time.Time
	FinishedAt     time.Time
	ErasedAt       time.Time
	UserID         int64
	FailureReason  string
	Tags           []string
	Artifacts      []artifact
	ArtifactsUntil time.Time
	Runner         *runner
	Retried        bool
	Downstream     *pipeline
	Variables      []variable
	// LogLines is how many script lines the generated log carries; zero means no log.
	LogLines int
	// LogBytes, when set, asks the log generator to pad the log to at least this size.
	LogBytes int64
	// DebugTrace marks a job run with CI_DEBUG_TRACE: its log may hold
	// secrets, so GitLab shows it only to those who may update jobs.
	DebugTrace bool
	Token      string
}

func (j *job) finished() bool {
	switch j.Status {
	case "success", "failed", "canceled", "skipped":
		return true
	}
	return false
}

func (j *job) hasLog() bool { return j.ErasedAt.IsZero() && (j.LogLines > 0 || j.LogBytes > 0) }

// world is everything the simulator knows; Sim guards it with one RWMutex.
type world struct {
	seed        int64
	users       []*user
	usersByID   map[int64]*user
	projects    []*project
	projectByID map[int64]*project
	jobsByID    map[int64]*job
	jobTokens   map[string]*job
	pipelines   map[int64]*pipeline
	runners     []*runner
	nextJobID   int64
	nextPipeID  int64
	// now is the world's clock reading; it only moves when the live clock runs.
	now time.Time
}

func (w *world) projectByPath(path string) *project {
	for _, p := range w.projects {
		if strings.EqualFold(p.fullPath(), path) {
			return p
		}
	}
	return nil
}
