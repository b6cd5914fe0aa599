package restclient

import (
	"net/url"
	"strconv"
)

// ListJobsOptions filter project jobs and pipeline bridges.
type ListJobsOptions struct {
	ListOptions
	Scope []JobStatus
}

// ListPipelineJobsOptions filter the jobs of one pipeline.
type ListPipelineJobsOptions struct {
	ListOptions
	Scope          []JobStatus
	IncludeRetried bool
}

// ListPipelinesOptions filter a project's pipelines; empty strings are omitted.
type ListPipelinesOptions struct {
	ListOptions
	Scope, Status, Ref, SHA, Username, Source, OrderBy, Sort string
}

// ListProjectsOptions filter the projects visible to the caller.
type ListProjectsOptions struct {
	ListOptions
	Search     string
	Membership *bool
	OrderBy    string
	Sort       string
	Simple     bool
}

// encodeScope sends scope as GitLab's array form scope[]=a&scope[]=b, which
// it accepts for one value as well.
func encodeScope(q url.Values, scope []JobStatus) error {
	if err := validateScope(scope); err != nil {
		return err
	}
	for _, s := range scope {
		q.Add("scope[]", string(s))
	}
	return nil
}

func setIfNotEmpty(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

func (o *ListJobsOptions) encode(keysetAllowed bool) (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if err := o.ListOptions.encode(q, keysetAllowed); err != nil {
		return nil, err
	}
	return q, encodeScope(q, o.Scope)
}

func (o *ListPipelineJobsOptions) encode() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if err := o.ListOptions.encode(q, false); err != nil {
		return nil, err
	}
	if o.IncludeRetried {
		q.Set("include_retried", "true")
	}
	return q, encodeScope(q, o.Scope)
}

func (o *ListPipelinesOptions) encode() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if err := o.ListOptions.encode(q, false); err != nil {
		return nil, err
	}
	setIfNotEmpty(q, "scope", o.Scope)
	setIfNotEmpty(q, "status", o.Status)
	setIfNotEmpty(q, "ref", o.Ref)
	setIfNotEmpty(q, "sha", o.SHA)
	setIfNotEmpty(q, "username", o.Username)
	setIfNotEmpty(q, "source", o.Source)
	setIfNotEmpty(q, "order_by", o.OrderBy)
	setIfNotEmpty(q, "sort", o.Sort)
	return q, nil
}

func (o *ListProjectsOptions) encode() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if err := o.ListOptions.encode(q, false); err != nil {
		return nil, err
	}
	setIfNotEmpty(q, "search", o.Search)
	if o.Membership != nil {
		q.Set("membership", strconv.FormatBool(*o.Membership))
	}
	setIfNotEmpty(q, "order_by", o.OrderBy)
	setIfNotEmpty(q, "sort", o.Sort)
	if o.Simple {
		q.Set("simple", "true")
	}
	return q, nil
}
