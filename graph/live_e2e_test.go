package graph_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/graph/globalid"
	"jobgraph/graph/live"
	"jobgraph/internal/npmtest"
	"jobgraph/restclient"
)

// subclients is the folder of the npm subscription clients, installed, and
// the node that runs them.
func subclients(t *testing.T) (dir, node string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "internal", "subclients"))
	if err != nil {
		t.Fatal(err)
	}
	node = npmtest.Folder{Dir: dir, Install: "npm ci --no-audit --no-fund --prefix internal/subclients"}.NodeFor(t, "graphql-ws")
	return dir, node
}

// clientEvent is one line of follow.mjs.
type clientEvent struct {
	Name    string `json:"name"`
	Event   string `json:"event"`
	Payload struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []gqlError                 `json:"errors"`
	} `json:"payload"`
	Code int `json:"code"`
}

type connection struct {
	Name      string `json:"name"`
	Transport string `json:"transport"`
	Token     string `json:"token"`
	Via       string `json:"via,omitempty"`
}

type subscription struct {
	Name       string         `json:"name"`
	Connection string         `json:"connection"`
	Query      string         `json:"query"`
	Variables  map[string]any `json:"variables,omitempty"`
	StopAfter  int            `json:"stopAfter,omitempty"`
}

const (
	jobUpdated      = `subscription($id: ID!) { jobUpdated(id: $id) { id status startedAt finishedAt runner { description } } }`
	logAppended     = `subscription($id: ID!) { jobLogAppended(id: $id) { text fromByte toByte } }`
	pipelineUpdated = `subscription($id: ID!) { pipelineUpdated(id: $id) { status jobs(first: 50) { nodes { status } } } }`
)

// The npm clients frontends use follow jobs, logs and a pipeline through the
// gateway while gitlabsim's live clock runs them: a pending job from PENDING
// to SUCCESS, a running one to its end, logs assembled byte for byte, ten
// subscribers sharing one poller, two tokens two, errors with their codes,
// and no poller or goroutine left once the subscribers are gone.
func TestSubscriptionsFollowLiveJobsWithTheNpmClients(t *testing.T) {
	dir, nodePath := subclients(t)
	// The gateway's pooled connections to GitLab idle on after the test.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"))

	node := exec.Command(nodePath, "follow.mjs")
	node.Dir, node.Stderr = dir, os.Stderr
	stdin, err := node.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := node.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan clientEvent)
	go func() {
		defer close(events)
		lines := bufio.NewScanner(stdout)
		lines.Buffer(make([]byte, 1<<20), 8<<20)
		for lines.Scan() {
			var e clientEvent
			if err := json.Unmarshal(lines.Bytes(), &e); err != nil {
				t.Errorf("follow.mjs printed %q: %v", lines.Text(), err)
				continue
			}
			events <- e
		}
	}()
	next := func(timeout time.Duration) clientEvent {
		t.Helper()
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("follow.mjs ended early")
			}
			return e
		case <-time.After(timeout):
			t.Fatal("follow.mjs said nothing in time")
		}
		return clientEvent{}
	}
	if e := next(30 * time.Second); e.Event != "ready" {
		t.Fatalf("follow.mjs began with %+v", e)
	}

	// The world starts moving now: the pending job starts at the first tick,
	// a second from here, and runs 45 s; the running job ends at that tick.
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1, LiveClock: true})
	upstream := httptest.NewServer(sim)
	client, err := restclient.New(restclient.Config{BaseURL: upstream.URL, MaxRetryWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub(client, live.Config{FastInterval: 200 * time.Millisecond, SlowInterval: 2 * time.Second, MaxRetries: 2})
	gateway := httptest.NewServer(graph.NewHandler(client, graph.HandlerConfig{Live: graph.LiveConfig{Hub: hub}}))
	defer func() {
		gateway.Close()
		hub.Close()
		upstream.Close()
		sim.Close()
	}()

	pending := globalid.Job(gitlabsim.ProjectDemo, gitlabsim.JobPending).String()
	running := globalid.Job(gitlabsim.ProjectDemo, gitlabsim.JobRunning).String()
	plan := map[string]any{
		"url": gateway.URL + "/graphql",
		"connections": []connection{
			{Name: "wsInit", Transport: "ws", Token: gitlabsim.TokenMaintainer, Via: "init"},
			{Name: "wsHeader", Transport: "ws", Token: gitlabsim.TokenMaintainer, Via: "header"},
			{Name: "sse", Transport: "sse", Token: gitlabsim.TokenMaintainer},
			{Name: "sseDeveloper", Transport: "sse", Token: gitlabsim.TokenDeveloper},
			{Name: "sseGuest", Transport: "sse", Token: gitlabsim.TokenGuest},
			{Name: "wsBadToken", Transport: "ws", Token: "glpat-nobody", Via: "init"},
		},
		"subscriptions": []subscription{
			{Name: "pending0", Connection: "wsInit", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending1", Connection: "wsHeader", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending2", Connection: "wsHeader", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending3", Connection: "wsHeader", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending4", Connection: "wsHeader", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending5", Connection: "wsHeader", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending6", Connection: "wsInit", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending7", Connection: "wsInit", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending8", Connection: "sse", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pending9", Connection: "sse", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "pendingDeveloper", Connection: "sseDeveloper", Query: jobUpdated, Variables: map[string]any{"id": pending}},
			{Name: "running", Connection: "sse", Query: jobUpdated, Variables: map[string]any{"id": running}},
			{Name: "pendingLog", Connection: "sse", Query: logAppended, Variables: map[string]any{"id": pending}},
			{Name: "runningLog", Connection: "wsInit", Query: logAppended, Variables: map[string]any{"id": running}},
			{Name: "pipeline", Connection: "wsInit", Query: pipelineUpdated, StopAfter: 2,
				Variables: map[string]any{"id": globalid.Pipeline(gitlabsim.ProjectDemo, gitlabsim.PipelineFixture).String()}},
			{Name: "missing", Connection: "wsInit", Query: jobUpdated, Variables: map[string]any{"id": globalid.Job(gitlabsim.ProjectDemo, 999999).String()}},
			{Name: "debugLog", Connection: "sseGuest", Query: logAppended,
				Variables: map[string]any{"id": globalid.Job(gitlabsim.ProjectDemo, gitlabsim.JobWaitingForCallback).String()}},
			{Name: "badToken", Connection: "wsBadToken", Query: jobUpdated, Variables: map[string]any{"id": pending}},
		},
	}
	line, _ := json.Marshal(plan)
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
	got := map[string][]clientEvent{}
	for e := next(120 * time.Second); e.Event != "idle"; e = next(120 * time.Second) {
		got[e.Name] = append(got[e.Name], e)
	}

	for _, name := range []string{"pending0", "pending1", "pending2", "pending3", "pending4", "pending5", "pending6", "pending7", "pending8", "pending9", "pendingDeveloper"} {
		expectStatuses(t, name, got[name], "PENDING", "RUNNING", "SUCCESS")
	}
	expectStatuses(t, "running", got["running"], "RUNNING", "SUCCESS")
	if p := got["pipeline"]; len(p) < 3 || p[0].Event != "next" || p[1].Event != "next" || p[2].Event != "stopped" {
		t.Errorf("pipeline: %+v, want two updates and the client's stop", p)
	}
	expectError(t, got["missing"], "NOT_FOUND")
	expectError(t, got["debugLog"], "FORBIDDEN")
	expectError(t, got["badToken"], "UNAUTHENTICATED")

	// One poller per (token, object, kind): the ten maintainer subscriptions
	// of the pending job share one, the developer's has its own.
	stats := hub.Stats()
	const pollers = 9 // pending job ×2 tokens, its log, running job, its log, pipeline, missing, debug log, bad token
	if stats.PollersStarted != pollers {
		t.Errorf("%d pollers started, want %d", stats.PollersStarted, pollers)
	}
	// What the subscriptions cost GitLab is the pollers' calls, nothing more:
	// each subscriber's events were answered from its poller's polls.
	// The pipeline's `jobs(first: 50)` is resolved for each of its two
	// updates, costing what the same query does: one call.
	simStats := sim.Stats()
	selections := map[string]int64{restclient.RoutePipelineJobs: 2}
	for _, route := range []string{restclient.RouteJob, restclient.RouteJobTrace, restclient.RoutePipeline, restclient.RoutePipelineJobs} {
		if sent, polled := simStats["GET /api/v4"+route], stats.Calls[route]; sent != polled+selections[route] {
			t.Errorf("GitLab served %d calls of %s, the pollers made %d and the selections %d", sent, route, polled, selections[route])
		}
	}
	if stats.Pollers != 0 || stats.Subscriptions != 0 {
		t.Errorf("with every subscription ended, %d pollers and %d subscriptions remain", stats.Pollers, stats.Subscriptions)
	}
	t.Logf("pollers' calls: %v in %d polls; GitLab served %v", stats.Calls, stats.Polls, simStats)
	for name, job := range map[string]int64{"pendingLog": gitlabsim.JobPending, "runningLog": gitlabsim.JobRunning} {
		if log, want := assembleLog(t, name, got[name]), trace(t, upstream.URL, job); log != want {
			t.Errorf("%s: the chunks make %d bytes, GitLab's trace has %d:\n%q\nwant\n%q", name, len(log), len(want), tail(log), tail(want))
		}
	}

	if err := stdin.Close(); err != nil {
		t.Fatal(err)
	}
	for range events {
	}
	if err := node.Wait(); err != nil {
		t.Errorf("follow.mjs: %v", err)
	}
}

// expectStatuses checks that a jobUpdated subscription went through want,
// starting with the first and ending, completed, with the last.
func expectStatuses(t *testing.T, name string, events []clientEvent, want ...string) {
	t.Helper()
	var statuses []string
	for _, e := range events {
		if e.Event != "next" {
			continue
		}
		var job struct{ Status string }
		if err := json.Unmarshal(e.Payload.Data["jobUpdated"], &job); err != nil || len(e.Payload.Errors) > 0 {
			t.Errorf("%s: update %s with errors %+v", name, e.Payload.Data["jobUpdated"], e.Payload.Errors)
			return
		}
		statuses = append(statuses, job.Status)
	}
	if len(events) == 0 || events[len(events)-1].Event != "complete" {
		t.Errorf("%s: %+v does not end with complete", name, events)
	}
	ok := len(statuses) > 0 && statuses[0] == want[0] && statuses[len(statuses)-1] == want[len(want)-1]
	rest := want
	for _, s := range statuses {
		if len(rest) > 0 && s == rest[0] {
			rest = rest[1:]
		}
	}
	if !ok || len(rest) > 0 {
		t.Errorf("%s: statuses %v, want %v in order, from the first to the last", name, statuses, want)
	}
}

// assembleLog joins a log subscription's chunks, each starting where the
// one before ended.
func assembleLog(t *testing.T, name string, events []clientEvent) string {
	t.Helper()
	var log strings.Builder
	for _, e := range events {
		if e.Event != "next" {
			continue
		}
		var chunk struct {
			Text             string
			FromByte, ToByte int
		}
		if err := json.Unmarshal(e.Payload.Data["jobLogAppended"], &chunk); err != nil || len(e.Payload.Errors) > 0 {
			t.Errorf("%s: chunk %s with errors %+v", name, e.Payload.Data["jobLogAppended"], e.Payload.Errors)
			return ""
		}
		if chunk.FromByte != log.Len() || chunk.ToByte != chunk.FromByte+len(chunk.Text) {
			t.Errorf("%s: chunk [%d, %d) of %d bytes after %d bytes", name, chunk.FromByte, chunk.ToByte, len(chunk.Text), log.Len())
		}
		log.WriteString(chunk.Text)
	}
	if len(events) == 0 || events[len(events)-1].Event != "complete" {
		t.Errorf("%s: %+v does not end with complete", name, events)
	}
	return log.String()
}

func trace(t *testing.T, upstream string, job int64) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, upstream+"/api/v4/projects/1/jobs/"+strconv.FormatInt(job, 10)+"/trace", nil)
	req.Header.Set("PRIVATE-TOKEN", gitlabsim.TokenMaintainer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func expectError(t *testing.T, events []clientEvent, code string) {
	t.Helper()
	if len(events) != 2 || events[0].Event != "next" || events[1].Event != "complete" ||
		len(events[0].Payload.Errors) != 1 || events[0].Payload.Errors[0].Extensions["code"] != code {
		t.Errorf("events %+v, want one answer with a %s error, then complete", events, code)
	}
}

func tail(s string) string { return s[max(0, len(s)-200):] }
