package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/restclient"
)

// restFor returns a REST client on the stack's upstream with a maintainer's
// token, to compare the gateway's answers with GitLab's.
func (s *stack) rest(t *testing.T) (*restclient.Client, context.Context) {
	t.Helper()
	c, err := restclient.New(restclient.Config{BaseURL: s.upstream.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := restclient.WithCredentials(context.Background(), restclient.Credentials{Kind: restclient.PrivateToken, Token: gitlabsim.TokenMaintainer})
	return c, ctx
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v (from REST)", what, got, want)
	}
}

func timeText(tm *time.Time) string {
	if tm == nil {
		return "<nil>"
	}
	return tm.UTC().Format(time.RFC3339Nano)
}

func floatText(f *float64) string {
	if f == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%.6f", *f)
}

func gqlTime(s *string) string {
	if s == nil {
		return "<nil>"
	}
	tm, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return "unparsable " + *s
	}
	return tm.UTC().Format(time.RFC3339Nano)
}

// Every field of a job, its pipeline, commit, user and project maps from
// GitLab's REST answer for the same object.
func TestFieldsMapFromREST(t *testing.T) {
	s := newStack(t)
	rc, ctx := s.rest(t)
	pid := fmt.Sprint(gitlabsim.ProjectDemo)
	job, _, err := rc.GetJob(ctx, pid, gitlabsim.JobFailed)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Project struct {
			FullPath, Name, WebURL, NameWithNamespace string
			DatabaseID                                int64
			Visibility                                string
			HTTPURLToRepo, BuildsAccessLevel          string
			JobsEnabled, SharedRunnersEnabled         bool
			ForksCount                                int
			Namespace                                 struct{ FullPath string }
			Job                                       struct {
				DatabaseID                                int64
				Name, Stage, Status, Ref, WebURL          string
				Tag, AllowFailure, Archived               bool
				Coverage, Duration, QueuedDuration        *float64
				CreatedAt                                 string
				StartedAt, FinishedAt, ArtifactsExpireAt  *string
				FailureReason                             *string
				TagList                                   []string
				Retryable, Erasable, Cancelable, Playable bool
				Artifacts                                 []struct {
					FileType, Filename string
					Size               int64
				}
				User struct {
					DatabaseID             int64
					Username, Name, WebURL string
				}
				Commit struct {
					Sha, ShortID, Title, Message string
					ParentIds                    []string
				}
				CommitLinks struct {
					WebURL   string
					Trailers []struct{ Key, Value string }
				} `json:"commitLinks"`
				CIJobTokenScopeEnabled *bool
				UserMore               struct{ LocalTime *string } `json:"userMore"`
				Pipeline               struct {
					DatabaseID, Iid, ProjectID int64
					Sha, Ref, Status           string
					Duration                   *float64
					User                       struct{ Username string }
					DetailedStatus             struct{ Text string }
				}
				Project struct{ DatabaseID int64 }
			}
		}
	}
	s.data(t, `query($p: Int!, $j: Int!) { project(id: $p) { databaseId fullPath name nameWithNamespace webUrl visibility
		httpUrlToRepo buildsAccessLevel jobsEnabled sharedRunnersEnabled forksCount namespace { fullPath }
		job(id: $j) { databaseId name stage status ref webUrl tag allowFailure archived coverage duration queuedDuration
			createdAt startedAt finishedAt artifactsExpireAt failureReason tagList retryable erasable cancelable playable
			artifacts { fileType filename size } user { databaseId username name webUrl }
			commit { sha shortId title message parentIds } commitLinks: commit { webUrl trailers { key value } }
			ciJobTokenScopeEnabled userMore: user { localTime }
			pipeline { databaseId iid projectId sha ref status duration user { username } detailedStatus { text } }
			project { databaseId } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo, "j": gitlabsim.JobFailed}, &got)
	g := got.Project.Job
	same(t, "job.databaseId", g.DatabaseID, job.ID)
	same(t, "job.name", g.Name, job.Name)
	same(t, "job.stage", g.Stage, job.Stage)
	same(t, "job.status", g.Status, strings.ToUpper(string(job.Status)))
	same(t, "job.ref", g.Ref, job.Ref)
	same(t, "job.webUrl", g.WebURL, job.WebURL)
	same(t, "job.tag", g.Tag, job.Tag)
	same(t, "job.allowFailure", g.AllowFailure, job.AllowFailure)
	same(t, "job.archived", g.Archived, job.Archived)
	same(t, "job.coverage", fmt.Sprint(g.Coverage != nil), fmt.Sprint(job.Coverage != nil))
	same(t, "job.duration", floatText(g.Duration), floatText(job.Duration))
	same(t, "job.queuedDuration", floatText(g.QueuedDuration), floatText(job.QueuedDuration))
	same(t, "job.createdAt", gqlTime(&g.CreatedAt), timeText(&job.CreatedAt))
	same(t, "job.startedAt", gqlTime(g.StartedAt), timeText(job.StartedAt))
	same(t, "job.finishedAt", gqlTime(g.FinishedAt), timeText(job.FinishedAt))
	same(t, "job.artifactsExpireAt", gqlTime(g.ArtifactsExpireAt), timeText(job.ArtifactsExpireAt))
	same(t, "job.failureReason", *g.FailureReason, job.FailureReason)
	same(t, "job.tagList", g.TagList, job.TagList)
	same(t, "job flags retryable/erasable/cancelable/playable", []bool{g.Retryable, g.Erasable, g.Cancelable, g.Playable}, []bool{true, true, false, false})
	same(t, "len(job.artifacts)", len(g.Artifacts), len(job.Artifacts))
	for i, a := range job.Artifacts {
		same(t, "job.artifacts", g.Artifacts[i], struct {
			FileType, Filename string
			Size               int64
		}{a.FileType, a.Filename, a.Size})
	}
	same(t, "job.user", g.User, struct {
		DatabaseID             int64
		Username, Name, WebURL string
	}{job.User.ID, job.User.Username, job.User.Name, job.User.WebURL})
	same(t, "job.commit", g.Commit, struct {
		Sha, ShortID, Title, Message string
		ParentIds                    []string
	}{job.Commit.ID, job.Commit.ShortID, job.Commit.Title, job.Commit.Message, job.Commit.ParentIDs})
	same(t, "job.project.databaseId", g.Project.DatabaseID, gitlabsim.ProjectDemo)
	same(t, "job.commit.webUrl", g.CommitLinks.WebURL, job.Commit.WebURL)
	same(t, "len(job.commit.trailers)", len(g.CommitLinks.Trailers), len(job.Commit.Trailers))
	same(t, "job.ciJobTokenScopeEnabled", *g.CIJobTokenScopeEnabled, job.Project.CIJobTokenScopeEnabled)
	same(t, "job.user.localTime set", g.UserMore.LocalTime != nil, job.User.LocalTime != "")

	pipeline, _, err := rc.GetPipeline(ctx, pid, job.Pipeline.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := g.Pipeline
	same(t, "pipeline ids", []int64{p.DatabaseID, p.Iid, p.ProjectID}, []int64{pipeline.ID, pipeline.IID, pipeline.ProjectID})
	same(t, "pipeline sha/ref/status", []string{p.Sha, p.Ref, p.Status}, []string{pipeline.SHA, pipeline.Ref, strings.ToUpper(pipeline.Status)})
	same(t, "pipeline.duration", floatText(p.Duration), floatText(pipeline.Duration))
	same(t, "pipeline.user", p.User.Username, pipeline.User.Username)
	same(t, "pipeline.detailedStatus.text", p.DetailedStatus.Text, pipeline.DetailedStatus.Text)

	var finished struct {
		Project struct {
			Pipelines struct {
				Nodes []struct {
					DatabaseID            int64
					Duration              *float64
					StartedAt, FinishedAt *string
					Tag                   *bool
					BeforeSha             *string
				}
			}
		}
	}
	s.data(t, `query($p: Int!) { project(id: $p) { pipelines(status: SUCCESS, first: 1) { nodes {
		databaseId duration startedAt finishedAt tag beforeSha } } } }`, map[string]any{"p": gitlabsim.ProjectDemo}, &finished)
	fp := finished.Project.Pipelines.Nodes[0]
	full, _, err := rc.GetPipeline(ctx, pid, fp.DatabaseID)
	if err != nil {
		t.Fatal(err)
	}
	if full.Duration == nil {
		t.Fatalf("fixture: finished pipeline %d has no duration", full.ID)
	}
	same(t, "finished pipeline.duration", floatText(fp.Duration), floatText(full.Duration))
	same(t, "finished pipeline times", []string{gqlTime(fp.StartedAt), gqlTime(fp.FinishedAt)}, []string{timeText(full.StartedAt), timeText(full.FinishedAt)})
	same(t, "finished pipeline.tag", *fp.Tag, full.Tag)
	same(t, "finished pipeline.beforeSha", *fp.BeforeSha, full.BeforeSHA)

	project, _, err := rc.GetProject(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	pr := got.Project
	same(t, "project", []any{pr.DatabaseID, pr.FullPath, pr.Name, pr.NameWithNamespace, pr.WebURL, pr.Visibility},
		[]any{project.ID, project.PathWithNamespace, project.Name, project.NameWithNamespace, project.WebURL, strings.ToUpper(project.Visibility)})
	same(t, "project repository and CI settings",
		[]any{pr.HTTPURLToRepo, pr.BuildsAccessLevel, pr.JobsEnabled, pr.SharedRunnersEnabled, pr.ForksCount, pr.Namespace.FullPath},
		[]any{project.HTTPURLToRepo, project.BuildsAccessLevel, project.JobsEnabled, project.SharedRunnersEnabled, project.ForksCount, project.Namespace.FullPath})
}

// Every kind of global id resolves to the object it was minted for, and the
// commit's detail fields come from the single-commit answer.
func TestNodeRoundTrips(t *testing.T) {
	s := newStack(t)
	rc, ctx := s.rest(t)
	var ids struct {
		Project struct {
			ID  string
			Job struct {
				ID       string
				User     struct{ ID string }
				Commit   struct{ ID, Sha string }
				Pipeline struct{ ID string }
			}
		}
	}
	s.data(t, `query($p: Int!, $j: Int!) { project(id: $p) { id job(id: $j) { id user { id } commit { id sha } pipeline { id } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo, "j": gitlabsim.JobFailed}, &ids)
	j := ids.Project.Job
	var got struct {
		Nodes []map[string]any
	}
	s.data(t, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
		... on Project { databaseId } ... on Job { databaseId } ... on User { databaseId }
		... on Pipeline { databaseId } ... on Commit { sha pipelineStatus stats { total } lastPipeline { databaseId } } } }`,
		map[string]any{"ids": []string{ids.Project.ID, j.ID, j.User.ID, j.Pipeline.ID, j.Commit.ID}}, &got)
	want := []string{"Project", "Job", "User", "Pipeline", "Commit"}
	for i, n := range got.Nodes {
		if n["__typename"] != want[i] || n["id"] == nil {
			t.Errorf("node %d = %v, want a %s", i, n, want[i])
		}
	}
	commit, _, err := rc.GetCommit(ctx, fmt.Sprint(gitlabsim.ProjectDemo), j.Commit.Sha)
	if err != nil {
		t.Fatal(err)
	}
	c := got.Nodes[4]
	stats, _ := c["stats"].(map[string]any)
	last, _ := c["lastPipeline"].(map[string]any)
	if c["sha"] != commit.ID || commit.Stats == nil || stats["total"] != float64(commit.Stats.Total) ||
		commit.LastPipeline == nil || last["databaseId"] != float64(commit.LastPipeline.ID) || commit.Status == nil || c["pipelineStatus"] != strings.ToUpper(*commit.Status) {
		body, _ := json.Marshal(c)
		t.Errorf("commit node %s does not match GitLab's commit %+v", body, commit)
	}
}

// Edge cursors page like pageInfo's, and the edges carry the nodes.
func TestEdgesCarryCursors(t *testing.T) {
	s := newStack(t)
	var got struct {
		Project struct {
			Jobs struct {
				Edges []struct {
					Cursor string
					Node   struct{ DatabaseID int64 }
				}
				PageInfo struct{ StartCursor, EndCursor string }
			}
		}
	}
	q := `query($p: Int!, $after: String) { project(id: $p) { jobs(first: 3, after: $after) {
		edges { cursor node { databaseId } } pageInfo { startCursor endCursor } } } }`
	s.data(t, q, map[string]any{"p": gitlabsim.ProjectDemo}, &got)
	e := got.Project.Jobs.Edges
	if len(e) != 3 || e[0].Cursor != got.Project.Jobs.PageInfo.StartCursor || e[2].Cursor != got.Project.Jobs.PageInfo.EndCursor {
		t.Fatalf("edges %+v, pageInfo %+v", e, got.Project.Jobs.PageInfo)
	}
	first := e[1].Node.DatabaseID
	s.data(t, q, map[string]any{"p": gitlabsim.ProjectDemo, "after": e[0].Cursor}, &got)
	if got.Project.Jobs.Edges[0].Node.DatabaseID != first {
		t.Fatalf("after the first edge's cursor: %d, want %d", got.Project.Jobs.Edges[0].Node.DatabaseID, first)
	}
}

// A user's locked flag is null where GitLab does not send it, not false.
func TestUserLockedIsNullWhenGitLabDoesNotSay(t *testing.T) {
	s := newStack(t)
	var got struct {
		Project struct {
			Jobs struct {
				Nodes []struct {
					User *struct{ Locked *bool }
				}
			}
		}
	}
	s.data(t, `query($p: Int!) { project(id: $p) { jobs(first: 20) { nodes { user { locked } } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo}, &got)
	for i, j := range got.Project.Jobs.Nodes {
		if j.User != nil && j.User.Locked != nil {
			t.Fatalf("job %d: locked = %v, but GitLab's job user carries no locked", i, *j.User.Locked)
		}
	}
}
