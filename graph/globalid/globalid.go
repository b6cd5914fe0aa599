// Package globalid encodes and decodes the opaque global ids of jobgraph's
// Node types.
//
// GitLab's REST API addresses most objects within a project
// (/projects/:id/jobs/:job_id), so a global id carries every id needed to fetch
// the object again: a job's id names its project too. The text form is
// unpadded base64url of "Type:part:part", opaque to clients by contract.
package globalid

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Type names a Node type.
type Type string

const (
	TypeProject  Type = "Project"
	TypeJob      Type = "Job"
	TypeBridge   Type = "Bridge"
	TypePipeline Type = "Pipeline"
	TypeCommit   Type = "Commit"
	TypeUser     Type = "User"
	// Runners, runner managers and namespaces have ids for client caches,
	// though Query.node does not fetch them.
	TypeRunner        Type = "Runner"
	TypeRunnerManager Type = "RunnerManager"
	TypeNamespace     Type = "Namespace"
)

// instanceWide are the types GitLab numbers across the instance: their ids
// need no project.
var instanceWide = map[Type]bool{
	TypeProject: true, TypeUser: true, TypeRunner: true, TypeRunnerManager: true, TypeNamespace: true,
}

// ErrInvalid is wrapped by every decoding error.
var ErrInvalid = errors.New("invalid global id")

// maxEncodedLen bounds the work spent on a client's id before decoding.
const maxEncodedLen = 256

var shaPattern = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// ID is a decoded global id. ProjectID is zero for the instanceWide types; SHA is
// set for commits only; PipelineID for bridges only.
type ID struct {
	Type       Type
	ProjectID  int64
	PipelineID int64
	ObjectID   int64
	SHA        string
}

func Project(id int64) ID                 { return ID{Type: TypeProject, ObjectID: id} }
func User(id int64) ID                    { return ID{Type: TypeUser, ObjectID: id} }
func Runner(id int64) ID                  { return ID{Type: TypeRunner, ObjectID: id} }
func RunnerManager(id int64) ID           { return ID{Type: TypeRunnerManager, ObjectID: id} }
func Namespace(id int64) ID               { return ID{Type: TypeNamespace, ObjectID: id} }
func Job(project, id int64) ID            { return ID{Type: TypeJob, ProjectID: project, ObjectID: id} }
func Pipeline(project, id int64) ID       { return ID{Type: TypePipeline, ProjectID: project, ObjectID: id} }
func Commit(project int64, sha string) ID { return ID{Type: TypeCommit, ProjectID: project, SHA: sha} }
func Bridge(project, pipeline, id int64) ID {
	return ID{Type: TypeBridge, ProjectID: project, PipelineID: pipeline, ObjectID: id}
}

// String returns the opaque text form. Every listed object's id is encoded,
// so it is built with appends rather than fmt.
func (id ID) String() string {
	raw := make([]byte, 0, 64)
	raw = append(raw, id.Type...)
	if !instanceWide[id.Type] {
		raw = strconv.AppendInt(append(raw, ':'), id.ProjectID, 10)
	}
	switch id.Type {
	case TypeCommit:
		raw = append(append(raw, ':'), id.SHA...)
	case TypeBridge:
		raw = strconv.AppendInt(append(raw, ':'), id.PipelineID, 10)
		raw = strconv.AppendInt(append(raw, ':'), id.ObjectID, 10)
	default:
		raw = strconv.AppendInt(append(raw, ':'), id.ObjectID, 10)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Parse decodes an id produced by String. Anything else is an error wrapping
// ErrInvalid; no input makes it panic.
func Parse(s string) (ID, error) {
	if len(s) == 0 || len(s) > maxEncodedLen {
		return ID{}, fmt.Errorf("%w: wrong length", ErrInvalid)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ID{}, fmt.Errorf("%w: not base64url", ErrInvalid)
	}
	parts := strings.Split(string(raw), ":")
	typ := Type(parts[0])
	want := map[Type]int{TypeJob: 3, TypePipeline: 3, TypeCommit: 3, TypeBridge: 4}[typ]
	if instanceWide[typ] {
		want = 2
	}
	if want == 0 {
		return ID{}, fmt.Errorf("%w: unknown type", ErrInvalid)
	}
	if len(parts) != want {
		return ID{}, fmt.Errorf("%w: malformed %s id", ErrInvalid, typ)
	}
	nums := make([]int64, 0, want-1)
	for i, p := range parts[1:] {
		if typ == TypeCommit && i == 1 {
			break
		}
		n, err := positive(p)
		if err != nil {
			return ID{}, fmt.Errorf("%w: malformed %s id", ErrInvalid, typ)
		}
		nums = append(nums, n)
	}
	id := ID{Type: typ}
	switch {
	case instanceWide[typ]:
		id.ObjectID = nums[0]
	case typ == TypeCommit:
		if !shaPattern.MatchString(parts[2]) {
			return ID{}, fmt.Errorf("%w: malformed Commit id", ErrInvalid)
		}
		id.ProjectID, id.SHA = nums[0], parts[2]
	case typ == TypeBridge:
		id.ProjectID, id.PipelineID, id.ObjectID = nums[0], nums[1], nums[2]
	default:
		id.ProjectID, id.ObjectID = nums[0], nums[1]
	}
	if id.String() != s {
		return ID{}, fmt.Errorf("%w: not canonical", ErrInvalid)
	}
	return id, nil
}

// positive parses a decimal id GitLab could have issued: 1 or more.
func positive(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, errors.New("not a positive integer")
	}
	return n, nil
}
