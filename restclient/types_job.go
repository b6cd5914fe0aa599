package restclient

import (
	"fmt"
	"time"
)

// JobStatus is a job's state (CommitStatus::AVAILABLE_STATUSES in GitLab).
type JobStatus string

// Every status GitLab accepts as a job scope, in GitLab's order.
const (
	StatusCreated            JobStatus = "created"
	StatusWaitingForResource JobStatus = "waiting_for_resource"
	StatusPreparing          JobStatus = "preparing"
	StatusWaitingForCallback JobStatus = "waiting_for_callback" // an external service must report back first
	StatusPending            JobStatus = "pending"
	StatusRunning            JobStatus = "running"
	StatusSuccess            JobStatus = "success"
	StatusFailed             JobStatus = "failed"
	StatusCanceling          JobStatus = "canceling"
	StatusCanceled           JobStatus = "canceled"
	StatusSkipped            JobStatus = "skipped"
	StatusManual             JobStatus = "manual"
	StatusScheduled          JobStatus = "scheduled"
)

// Valid reports whether s is one of GitLab's job statuses.
func (s JobStatus) Valid() bool {
	switch s {
	case StatusCreated, StatusWaitingForResource, StatusPreparing, StatusWaitingForCallback,
		StatusPending, StatusRunning, StatusSuccess, StatusFailed, StatusCanceling, StatusCanceled,
		StatusSkipped, StatusManual, StatusScheduled:
		return true
	}
	return false
}

func validateScope(scope []JobStatus) error {
	for _, s := range scope {
		if !s.Valid() {
			return fmt.Errorf("scope %q is not a job status", string(s))
		}
	}
	return nil
}

// CommonJobFields are the fields GitLab's job and bridge entities share
// (Entities::Ci::JobBasic). Embedded, they decode inline.
type CommonJobFields struct {
	ID             int64         `json:"id"`
	Status         JobStatus     `json:"status"`
	Stage          string        `json:"stage"`
	Name           string        `json:"name"`
	Ref            string        `json:"ref"`
	Tag            bool          `json:"tag"`
	Coverage       *float64      `json:"coverage"`
	AllowFailure   bool          `json:"allow_failure"`
	CreatedAt      time.Time     `json:"created_at"`
	StartedAt      *time.Time    `json:"started_at"`
	FinishedAt     *time.Time    `json:"finished_at"`
	ErasedAt       *time.Time    `json:"erased_at"`
	Duration       *float64      `json:"duration"`
	QueuedDuration *float64      `json:"queued_duration"`
	User           *User         `json:"user"`
	Commit         *Commit       `json:"commit"`
	Pipeline       *PipelineInfo `json:"pipeline"`
	FailureReason  string        `json:"failure_reason,omitempty"` // only sent for failed jobs
	WebURL         string        `json:"web_url"`
	Project        *JobProject   `json:"project"`
}

// Job is GitLab's Entities::Ci::Job.
type Job struct {
	CommonJobFields
	ArtifactsFile     *ArtifactsFile `json:"artifacts_file,omitempty"` // only sent when the job has artifacts
	Artifacts         []JobArtifact  `json:"artifacts"`
	Runner            *Runner        `json:"runner"`
	RunnerManager     *RunnerManager `json:"runner_manager"`
	ArtifactsExpireAt *time.Time     `json:"artifacts_expire_at"`
	Archived          bool           `json:"archived"`
	TagList           []string       `json:"tag_list"`
}

// Bridge is GitLab's Entities::Ci::Bridge: a trigger job. It has a downstream
// pipeline instead of artifacts and a runner.
type Bridge struct {
	CommonJobFields
	DownstreamPipeline *PipelineInfo `json:"downstream_pipeline"`
}

// JobProject is the project block GitLab embeds in a job.
type JobProject struct {
	CIJobTokenScopeEnabled bool `json:"ci_job_token_scope_enabled"`
}

// ArtifactsFile is Entities::Ci::JobArtifactFile, the legacy archive summary.
type ArtifactsFile struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

// JobArtifact is Entities::Ci::JobArtifact.
type JobArtifact struct {
	FileType   string `json:"file_type"`
	Size       int64  `json:"size"`
	Filename   string `json:"filename"`
	FileFormat string `json:"file_format"`
}

// Runner is Entities::Ci::Runner.
type Runner struct {
	ID          int64   `json:"id"`
	Description string  `json:"description"`
	IPAddress   *string `json:"ip_address"`
	Active      bool    `json:"active"`
	Paused      bool    `json:"paused"`
	IsShared    bool    `json:"is_shared"`
	RunnerType  string  `json:"runner_type"`
	Name        *string `json:"name"`
	Online      *bool   `json:"online"`
	Status      string  `json:"status"`
}

// RunnerManager is Entities::Ci::RunnerManager: the runner process that ran a job.
type RunnerManager struct {
	ID           int64      `json:"id"`
	SystemID     string     `json:"system_id"`
	Version      string     `json:"version"`
	Revision     string     `json:"revision"`
	Platform     string     `json:"platform"`
	Architecture string     `json:"architecture"`
	CreatedAt    *time.Time `json:"created_at"`
	ContactedAt  *time.Time `json:"contacted_at"`
	IPAddress    string     `json:"ip_address"`
	Status       string     `json:"status"`
}

// JobVariable is one entry of job_variables_attributes when playing a job.
type JobVariable struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}
