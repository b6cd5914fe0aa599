package restclient

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// PipelineInfo is Entities::Ci::PipelineBasic, the pipeline embedded in jobs
// and returned by pipeline lists.
type PipelineInfo struct {
	ID        int64      `json:"id"`
	IID       int64      `json:"iid"`
	ProjectID int64      `json:"project_id"`
	SHA       string     `json:"sha"`
	Ref       string     `json:"ref"`
	Status    string     `json:"status"`
	Source    string     `json:"source"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
	WebURL    string     `json:"web_url"`
	// Name is the pipeline's workflow:name; pipeline lists carry it.
	Name *string `json:"name"`
}

// Pipeline is Entities::Ci::Pipeline, a single pipeline in full: the basic
// pipeline's fields (embedded, decoded inline) and the rest.
type Pipeline struct {
	PipelineInfo
	BeforeSHA      string          `json:"before_sha"`
	Tag            bool            `json:"tag"`
	YamlErrors     *string         `json:"yaml_errors"`
	User           *User           `json:"user"`
	StartedAt      *time.Time      `json:"started_at"`
	FinishedAt     *time.Time      `json:"finished_at"`
	CommittedAt    *time.Time      `json:"committed_at"`
	Duration       *float64        `json:"duration"`
	QueuedDuration *float64        `json:"queued_duration"`
	Coverage       *float64        `json:"coverage"` // GitLab sends a string such as "30.0"; numbers are accepted too
	DetailedStatus *DetailedStatus `json:"detailed_status"`
}

// UnmarshalJSON reads coverage whether GitLab sends it as a string (the
// pipeline presenter formats it) or as a number. json v2 hands it the raw
// value without the caller's options, so the rest is decoded with the same
// decodeOptions as every body.
func (p *Pipeline) UnmarshalJSON(b []byte) error {
	type plain Pipeline
	aux := struct {
		*plain
		Coverage jsontext.Value `json:"coverage"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(b, &aux, decodeOptions); err != nil {
		return err
	}
	coverage, err := parseCoverage(aux.Coverage)
	if err != nil {
		return err
	}
	p.Coverage = coverage
	return nil
}

func parseCoverage(raw jsontext.Value) (*float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var text string
	if err := json.Unmarshal(raw, &text, decodeOptions); err != nil {
		text = string(raw)
	}
	if text == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, fmt.Errorf("pipeline coverage %q: %w", text, err)
	}
	// ParseFloat reads "NaN" and "Inf", which no GraphQL Float can carry.
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("pipeline coverage %q: not a finite number", text)
	}
	return &v, nil
}

// DetailedStatus is GitLab's DetailedStatusEntity, how the UI renders a status.
type DetailedStatus struct {
	Icon         string              `json:"icon"`
	Text         string              `json:"text"`
	Label        string              `json:"label"`
	Group        string              `json:"group"`
	Tooltip      string              `json:"tooltip"`
	HasDetails   bool                `json:"has_details"`
	DetailsPath  string              `json:"details_path"`
	Illustration *StatusIllustration `json:"illustration"`
	Favicon      string              `json:"favicon"`
}

// StatusIllustration is the empty-state picture of a detailed status.
type StatusIllustration struct {
	Image   string `json:"image"`
	Size    string `json:"size"`
	Title   string `json:"title"`
	Content string `json:"content"`
}
