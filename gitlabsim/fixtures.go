package gitlabsim

// Seeded identities. The tokens are fixed strings so demos, docs and tests can use
// them literally; they are not secrets and only ever unlock the simulator.
const (
	TokenMaintainer = "glpat-sim-maintainer-0001"
	TokenDeveloper  = "glpat-sim-developer-0002"
	TokenGuest      = "glpat-sim-guest-0003"
	TokenOutsider   = "glpat-sim-outsider-0004"
	// TokenJob is the CI job token of JobRunning; it stops working once that job finishes.
	TokenJob = "glcbt-sim-running-job-0005"
)

// Seeded user ids.
const (
	UserRoot       int64 = 1
	UserMaintainer int64 = 2
	UserDeveloper  int64 = 3
	UserGuest      int64 = 4
	UserOutsider   int64 = 5
)

// Seeded projects; ids and paths are the same for every seed.
const (
	// ProjectDemo is internal: every signed-in user reads it; several hundred jobs.
	ProjectDemo int64 = 1
	// ProjectBig is public and holds more than 10,000 pipelines and jobs, so lists that
	// give totals drop them.
	ProjectBig int64 = 2
	// ProjectDownstream is public and receives the pipelines that ProjectDemo's bridges trigger.
	ProjectDownstream int64 = 3
	// ProjectPrivate is private; TokenOutsider gets 404 Project Not Found.
	ProjectPrivate int64 = 4
)

// The newest pipeline of ProjectDemo is a fixture whose jobs sit in every interesting
// state. Its ids are fixed for every seed; ids the world creates later are higher.
const (
	PipelineFixture int64 = 100001

	JobHugeLog   int64 = 200001 // success, log over 50 MB generated on the fly
	JobFailed    int64 = 200002 // failed, script_failure, retryable and erasable
	JobRunning   int64 = 200003 // running; TokenJob belongs to it
	JobPending   int64 = 200004 // pending
	JobCanceling int64 = 200005 // canceling; only a forced cancel (maintainer) finishes it
	JobCreated   int64 = 200006 // created, waiting for earlier stages
	JobManual    int64 = 200007 // manual (when: manual)
	JobScheduled int64 = 200008 // scheduled (when: delayed)
	JobBridge    int64 = 200009 // bridge with a downstream pipeline in ProjectDownstream
	// JobWaitingForCallback ran and now waits for an external service to call
	// back; cancelable. Its log is a debug log: guests get 403 for it.
	// Its id sits above the jobs of JobBridge's downstream pipeline so none of the
	// ids above moves.
	JobWaitingForCallback int64 = 200100

	firstFreePipelineID int64 = 100101
	firstFreeJobID      int64 = 200101
)

// HugeLogBytes is the minimum size of JobHugeLog's log.
const HugeLogBytes = 60 << 20

// Token is a seeded credential.
type Token struct {
	Role     string
	Username string
	Token    string
	UserID   int64
}

// Tokens lists the seeded credentials: maintainer, developer, guest (reads, cannot act),
// outsider (no access to ProjectPrivate) and the job token of JobRunning.
func Tokens() []Token {
	return []Token{
		{Role: "maintainer", Username: "mia.maintainer", Token: TokenMaintainer, UserID: UserMaintainer},
		{Role: "developer", Username: "dev.dana", Token: TokenDeveloper, UserID: UserDeveloper},
		{Role: "guest", Username: "gus.guest", Token: TokenGuest, UserID: UserGuest},
		{Role: "outsider", Username: "otto.outsider", Token: TokenOutsider, UserID: UserOutsider},
		{Role: "job", Username: "dev.dana", Token: TokenJob, UserID: UserDeveloper},
	}
}

var projectPaths = map[int64]string{
	ProjectDemo:       "demo-group/platform/web-app",
	ProjectBig:        "demo-group/platform/monorepo",
	ProjectDownstream: "demo-group/tools/deployer",
	ProjectPrivate:    "acme/secret/payments",
}

// ProjectPath is the full path of a seeded project, or "" for an unknown id.
func ProjectPath(id int64) string { return projectPaths[id] }
