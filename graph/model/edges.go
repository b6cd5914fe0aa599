package model

import "jobgraph/graph/paging"

// Edges hold their cursor decoded and encode it only when a query selects
// it: most list queries select nodes alone.

// JobEdge is a job in a JobConnection.
type JobEdge struct {
	At   paging.Cursor
	Node *Job
}

func (e *JobEdge) Cursor() string { return e.At.String() }

// BridgeEdge is a bridge in a BridgeConnection.
type BridgeEdge struct {
	At   paging.Cursor
	Node *Bridge
}

func (e *BridgeEdge) Cursor() string { return e.At.String() }

// PipelineEdge is a pipeline in a PipelineConnection.
type PipelineEdge struct {
	At   paging.Cursor
	Node *Pipeline
}

func (e *PipelineEdge) Cursor() string { return e.At.String() }

// ProjectEdge is a project in a ProjectConnection.
type ProjectEdge struct {
	At   paging.Cursor
	Node *Project
}

func (e *ProjectEdge) Cursor() string { return e.At.String() }
