package restclient

import "time"

// Commit is Entities::Commit as embedded in jobs, plus the fields of
// Entities::CommitDetail that /repository/commits/:sha adds.
type Commit struct {
	ID               string              `json:"id"`
	ShortID          string              `json:"short_id"`
	Title            string              `json:"title"`
	Message          string              `json:"message"`
	AuthorName       string              `json:"author_name"`
	AuthorEmail      string              `json:"author_email"`
	AuthoredDate     *time.Time          `json:"authored_date"`
	CommitterName    string              `json:"committer_name"`
	CommitterEmail   string              `json:"committer_email"`
	CommittedDate    *time.Time          `json:"committed_date"`
	CreatedAt        *time.Time          `json:"created_at"`
	ParentIDs        []string            `json:"parent_ids"`
	WebURL           string              `json:"web_url"`
	Trailers         map[string]string   `json:"trailers"`
	ExtendedTrailers map[string][]string `json:"extended_trailers"`

	// Detail fields: only GET /projects/:id/repository/commits/:sha sends these.
	Stats        *CommitStats  `json:"stats"`
	Status       *string       `json:"status"`
	ProjectID    int64         `json:"project_id"`
	LastPipeline *PipelineInfo `json:"last_pipeline"`
}

// CommitStats counts the lines a commit changed.
type CommitStats struct {
	Additions int `json:"additions"`
	Deletions int `json:"deletions"`
	Total     int `json:"total"`
}
