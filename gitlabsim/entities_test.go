package gitlabsim

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var millisUTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// excerptJobKeys are the keys of the example job in GitLab's jobs API documentation
// (shared/spec/gitlab-jobs-api-excerpt.txt); every one must be present.
var excerptJobKeys = map[string][]string{
	"": {"commit", "coverage", "allow_failure", "created_at", "started_at", "finished_at", "duration", "queued_duration",
		"artifacts_file", "artifacts", "artifacts_expire_at", "tag_list", "id", "name", "pipeline", "ref", "runner",
		"stage", "status", "failure_reason", "tag", "web_url", "user"},
	"commit":   {"author_email", "author_name", "created_at", "id", "message", "short_id", "title"},
	"pipeline": {"id", "project_id", "ref", "sha", "status"},
	"user": {"id", "name", "username", "state", "avatar_url", "web_url", "created_at", "bio", "location",
		"public_email", "skype", "linkedin", "twitter", "website_url", "organization"},
	"artifacts_file": {"filename", "size"},
}

func getObject(t *testing.T, path, token string) map[string]any {
	t.Helper()
	_, srv := newTestServer(t, Options{Seed: 1})
	r := get(t, srv, path, token)
	if r.status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var m map[string]any
	r.json(t, &m)
	return m
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestJobEntityMatchesExcerpt(t *testing.T) {
	job := getObject(t, fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobFailed), TokenMaintainer)
	for sub, want := range excerptJobKeys {
		obj := job
		if sub != "" {
			obj, _ = job[sub].(map[string]any)
		}
		if sub == "artifacts_file" {
			continue // only present on jobs with an archive; checked below
		}
		for _, k := range want {
			if _, ok := obj[k]; !ok && k != "artifacts_file" {
				t.Errorf("%s lacks %q (has %v)", sub, k, keys(obj))
			}
		}
	}
	if job["failure_reason"] != "script_failure" {
		t.Errorf("failure_reason %v", job["failure_reason"])
	}
	proj, _ := job["project"].(map[string]any)
	if _, ok := proj["ci_job_token_scope_enabled"]; !ok {
		t.Errorf("project %v", proj)
	}
}

func TestJobEntityFields(t *testing.T) {
	huge := getObject(t, fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobHugeLog), TokenMaintainer)
	if _, ok := huge["failure_reason"]; ok {
		t.Error("failure_reason on a successful job")
	}
	file, ok := huge["artifacts_file"].(map[string]any)
	if !ok || file["filename"] != "artifacts.zip" {
		t.Errorf("artifacts_file %v", huge["artifacts_file"])
	}
	for _, k := range []string{"created_at", "started_at", "finished_at", "artifacts_expire_at"} {
		if s, _ := huge[k].(string); !millisUTC.MatchString(s) {
			t.Errorf("%s = %v, want millisecond UTC", k, huge[k])
		}
	}
	tags := toStrings(huge["tag_list"])
	if !slices.IsSorted(tags) || len(tags) == 0 {
		t.Errorf("tag_list %v not sorted", tags)
	}
	for _, k := range []string{"runner", "runner_manager"} {
		if _, ok := huge[k].(map[string]any); !ok {
			t.Errorf("%s = %v", k, huge[k])
		}
	}
	running := getObject(t, fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobRunning), TokenMaintainer)
	if rn, _ := running["runner"].(map[string]any); rn["job_execution_status"] != "active" || rn["ip_address"] != nil {
		t.Errorf("runner of a running job %v", rn)
	}
	pending := getObject(t, fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobPending), TokenMaintainer)
	for _, k := range []string{"started_at", "finished_at", "erased_at", "duration", "runner", "coverage", "artifacts_expire_at"} {
		if v, present := pending[k]; !present || v != nil {
			t.Errorf("pending job %s = %v, want null", k, v)
		}
	}
	if _, ok := pending["artifacts_file"]; ok {
		t.Error("artifacts_file on a job without artifacts")
	}
	if a, ok := pending["artifacts"].([]any); !ok || len(a) != 0 {
		t.Errorf("artifacts %v, want []", pending["artifacts"])
	}
	commit, _ := pending["commit"].(map[string]any)
	if s, _ := commit["created_at"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000[+-]\d\d:\d\d$`).MatchString(s) {
		t.Errorf("commit created_at %q, want Git's zoned form", s)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestBridgeEntity(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	r := get(t, srv, fmt.Sprintf("/api/v4/projects/1/pipelines/%d/bridges", PipelineFixture), TokenMaintainer)
	var bridges []map[string]any
	r.json(t, &bridges)
	if len(bridges) != 1 || int64(bridges[0]["id"].(float64)) != JobBridge {
		t.Fatalf("bridges %v", bridges)
	}
	down, ok := bridges[0]["downstream_pipeline"].(map[string]any)
	if !ok || int64(down["project_id"].(float64)) != ProjectDownstream {
		t.Fatalf("downstream_pipeline %v", bridges[0]["downstream_pipeline"])
	}
	for _, k := range []string{"artifacts", "runner", "tag_list"} {
		if _, ok := bridges[0][k]; ok {
			t.Errorf("bridge exposes %s", k)
		}
	}
}

func TestPipelineEntities(t *testing.T) {
	full := getObject(t, fmt.Sprintf("/api/v4/projects/1/pipelines/%d", PipelineFixture), TokenMaintainer)
	want := []string{"id", "iid", "project_id", "sha", "ref", "status", "source", "created_at", "updated_at", "web_url",
		"before_sha", "tag", "yaml_errors", "user", "started_at", "finished_at", "committed_at", "duration",
		"queued_duration", "coverage", "detailed_status", "name"}
	if got := keys(full); fmt.Sprint(got) != fmt.Sprint(sortedCopy(want)) {
		t.Errorf("pipeline keys %v, want %v", got, sortedCopy(want))
	}
	if full["status"] != "running" || full["finished_at"] != nil {
		t.Errorf("fixture pipeline status %v finished_at %v", full["status"], full["finished_at"])
	}
	user, _ := full["user"].(map[string]any)
	if fmt.Sprint(keys(user)) != "[avatar_url id name state username web_url]" {
		t.Errorf("pipeline user is UserBasic, got %v", keys(user))
	}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func TestCommitDetail(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	var pl struct{ SHA string }
	get(t, srv, fmt.Sprintf("/api/v4/projects/1/pipelines/%d", PipelineFixture), TokenMaintainer).json(t, &pl)
	for _, ref := range []string{pl.SHA, pl.SHA[:8], "main"} {
		c := getObject(t, "/api/v4/projects/1/repository/commits/"+ref, TokenMaintainer)
		if c["id"] != pl.SHA || c["status"] != "running" || c["project_id"] != float64(1) {
			t.Errorf("%s: commit %v", ref, c)
		}
		stats, _ := c["stats"].(map[string]any)
		if stats["total"] != stats["additions"].(float64)+stats["deletions"].(float64) {
			t.Errorf("stats %v", stats)
		}
		if lp, _ := c["last_pipeline"].(map[string]any); lp["id"] != float64(PipelineFixture) {
			t.Errorf("last_pipeline %v", c["last_pipeline"])
		}
	}
	noStats := getObject(t, "/api/v4/projects/1/repository/commits/main?stats=false", TokenMaintainer)
	if _, ok := noStats["stats"]; ok {
		t.Error("stats=false still shows stats")
	}
}

func TestUsers(t *testing.T) {
	u := getObject(t, "/api/v4/users/3", "")
	if u["username"] != "dev.dana" || u["bot"] != false {
		t.Errorf("user %v", u)
	}
	me := getObject(t, "/api/v4/user", TokenGuest)
	if me["username"] != "gus.guest" || me["email"] != "gus.guest@example.com" {
		t.Errorf("current user %v", me)
	}
}

func TestProjectsList(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	tests := []struct {
		query, token string
		want         []int64
	}{
		{"", "", []int64{ProjectBig, ProjectDownstream}},
		{"order_by=id&sort=asc", TokenOutsider, []int64{ProjectDemo, ProjectBig, ProjectDownstream}},
		{"order_by=id&sort=asc", TokenGuest, []int64{ProjectDemo, ProjectBig, ProjectDownstream, ProjectPrivate}},
		{"membership=true&order_by=id", TokenOutsider, nil},
		{"search=PAY", TokenMaintainer, []int64{ProjectPrivate}},
		{"order_by=name&sort=asc", TokenMaintainer, []int64{ProjectDownstream, ProjectBig, ProjectPrivate, ProjectDemo}},
	}
	for _, tt := range tests {
		t.Run(tt.query+"/"+tt.token, func(t *testing.T) {
			r := get(t, srv, "/api/v4/projects?"+tt.query, tt.token)
			var items []idOnly
			r.json(t, &items)
			var got []int64
			for _, it := range items {
				got = append(got, it.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("projects %v, want %v", got, tt.want)
			}
		})
	}
	if r := get(t, srv, "/api/v4/projects?order_by=stars", TokenMaintainer); string(r.body) != `{"error":"order_by does not have a valid value"}` {
		t.Errorf("bad order_by: %d %s", r.status, r.body)
	}
}

func TestPipelineFilters(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	tests := []struct {
		query string
		check func(map[string]any) bool
	}{
		{"status=failed", func(p map[string]any) bool { return p["status"] == "failed" }},
		{"scope=finished", func(p map[string]any) bool { return p["status"] != "running" }},
		{"source=merge_request_event", func(p map[string]any) bool { return strings.HasPrefix(p["ref"].(string), "refs/merge-requests/") }},
		{"username=dev.dana&scope=running", func(p map[string]any) bool { return p["id"] == float64(PipelineFixture) }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var items []map[string]any
			get(t, srv, "/api/v4/projects/1/pipelines?per_page=100&"+tt.query, TokenMaintainer).json(t, &items)
			if len(items) == 0 {
				t.Fatal("no pipelines")
			}
			for _, p := range items {
				if !tt.check(p) {
					t.Errorf("pipeline %v does not match %s", p["id"], tt.query)
				}
			}
		})
	}
	var asc []idOnly
	get(t, srv, "/api/v4/projects/1/pipelines?sort=asc&per_page=3", TokenMaintainer).json(t, &asc)
	if len(asc) != 3 || asc[0].ID > asc[1].ID {
		t.Errorf("sort=asc gave %v", asc)
	}
	if r := get(t, srv, "/api/v4/projects/1/pipelines?yaml_errors=true", TokenMaintainer); string(r.body) != "[]" {
		t.Errorf("yaml_errors=true found pipelines in a world without configuration errors: %.80s", r.body)
	}
	if r := get(t, srv, "/api/v4/projects/1/pipelines?status=bogus", TokenMaintainer); string(r.body) != `{"error":"status does not have a valid value"}` {
		t.Errorf("bad status: %s", r.body)
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	body := func(seed int64) string {
		_, srv := newTestServer(t, Options{Seed: seed, ExternalURL: "https://gitlab.example.com"})
		return string(get(t, srv, "/api/v4/projects/1/jobs?per_page=100&page=2", TokenMaintainer).body)
	}
	if body(7) != body(7) {
		t.Fatal("same seed, different world")
	}
	if body(7) == body(8) {
		t.Fatal("different seeds, same world")
	}
	if !strings.Contains(body(7), `"web_url":"https://gitlab.example.com/demo-group/platform/web-app/-/jobs/`) {
		t.Fatal("ExternalURL not used for web_url")
	}
}

func TestFixtureStates(t *testing.T) {
	w := newWorld(42)
	want := map[int64]string{
		JobHugeLog: "success", JobFailed: "failed", JobRunning: "running", JobPending: "pending",
		JobCanceling: "canceling", JobCreated: "created", JobManual: "manual", JobScheduled: "scheduled", JobBridge: "success",
		JobWaitingForCallback: "waiting_for_callback",
	}
	for id, status := range want {
		j := w.jobsByID[id]
		if j == nil || j.Status != status || j.Project.ID != ProjectDemo || j.Pipeline.ID != PipelineFixture {
			t.Errorf("job %d: %+v, want %s in the fixture pipeline", id, j, status)
		}
	}
	big := w.projectByID[ProjectBig]
	if len(big.Jobs) <= maxCountLimit || len(big.Pipelines) <= maxCountLimit {
		t.Errorf("big project has %d jobs and %d pipelines", len(big.Jobs), len(big.Pipelines))
	}
	for _, p := range w.projects {
		if ProjectPath(p.ID) != p.fullPath() {
			t.Errorf("ProjectPath(%d) = %q, world has %q", p.ID, ProjectPath(p.ID), p.fullPath())
		}
		if !slices.IsSortedFunc(p.Jobs, func(a, b *job) int { return int(a.ID - b.ID) }) {
			t.Errorf("project %d jobs out of id order", p.ID)
		}
	}
}

func TestExcerptFileKeysStillApply(t *testing.T) {
	raw, err := os.ReadFile("../../shared/spec/gitlab-jobs-api-excerpt.txt")
	if err != nil {
		t.Skip("excerpt not available: ", err)
	}
	start := strings.Index(string(raw), "[\n  {")
	end := strings.Index(string(raw), "\n]\n")
	var examples []map[string]any
	if err := json.Unmarshal(raw[start:end+2], &examples); err != nil {
		t.Fatalf("parse excerpt example: %v", err)
	}
	for k := range examples[0] {
		if !slices.Contains(excerptJobKeys[""], k) {
			t.Errorf("excerpt key %q is not pinned", k)
		}
	}
}

// GitLab's commit entity (API::Entities::Commit) carries trailers,
// extended_trailers and web_url besides the fields of the jobs excerpt.
func TestCommitEntityFields(t *testing.T) {
	job := getObject(t, fmt.Sprintf("/api/v4/projects/1/jobs/%d", JobFailed), TokenMaintainer)
	commit, _ := job["commit"].(map[string]any)
	want := []string{"author_email", "author_name", "authored_date", "committed_date", "committer_email",
		"committer_name", "created_at", "extended_trailers", "id", "message", "parent_ids", "short_id",
		"title", "trailers", "web_url"}
	if got := keys(commit); !slices.Equal(got, want) {
		t.Fatalf("commit keys %v, want %v", got, want)
	}
	if url, _ := commit["web_url"].(string); !strings.HasSuffix(url, "/demo-group/platform/web-app/-/commit/"+commit["id"].(string)) {
		t.Fatalf("commit web_url %q", url)
	}
}
