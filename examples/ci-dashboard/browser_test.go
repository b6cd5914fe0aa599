package dashboard

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/graphiql"
	"jobgraph/internal/browsertest"
	"jobgraph/restclient"
)

// demoProject is gitlabsim's project with several hundred jobs.
const demoProject = "demo-group/platform/web-app"

// stack is jobgraph on gitlabsim, both on loopback, serving the dashboard
// as the jobgraph command mounts it, with the demo token prefilled.
type stack struct {
	gateway, upstream string
}

func newStack(t *testing.T) stack {
	t.Helper()
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	upstream := httptest.NewServer(sim)
	client, err := restclient.New(restclient.Config{BaseURL: upstream.URL})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(client, graph.HandlerConfig{}))
	board := Handler(Options{Endpoint: "/graphql", DefaultToken: gitlabsim.TokenMaintainer})
	mux.Handle(Path, board)
	mux.Handle(Path+"/", board)
	// The icon the page links, served beside it as in the jobgraph command.
	mux.Handle(graphiql.FaviconPath, graphiql.Handler(graphiql.Options{}))
	gateway := httptest.NewServer(mux)
	t.Cleanup(func() { gateway.Close(); upstream.Close(); sim.Close() })
	return stack{gateway: gateway.URL, upstream: upstream.URL}
}

// rest reads a GitLab REST route of the simulator, as the maintainer.
func (s stack) rest(t *testing.T, route string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.upstream+"/api/v4"+route, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("PRIVATE-TOKEN", gitlabsim.TokenMaintainer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %.300s", route, resp.StatusCode, err, body)
	}
	return body
}

type restJob struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// shownJob is a row of the dashboard's job list.
type shownJob struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

const (
	// The rows of the job list, and whether it waits for a page.
	rowsJS    = `Array.from(document.querySelectorAll('table.jobs tr[data-job-id]'), function (row) { return { id: Number(row.dataset.jobId), name: row.querySelector('.job-name').textContent }; })`
	settledJS = `!document.querySelector('.list-end') || document.querySelector('.list-end').textContent.indexOf('Loading') < 0`
)

// waitForRows waits until the job list shows at least n rows and asks for no
// page, and returns the rows.
func waitForRows(page *browsertest.Page, n int) []shownJob {
	page.Poll(fmt.Sprintf(`document.querySelectorAll('table.jobs tr[data-job-id]').length >= %d && (%s)`, n, settledJS),
		fmt.Sprintf("%d jobs in the list", n))
	return browsertest.Value[[]shownJob](page, rowsJS)
}

var (
	ansiEscape   = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")
	sectionStart = regexp.MustCompile(`section_start:\d+:([^\[\r\n]+)`)
)

// A person opens the dashboard in demo mode, picks the demo project, scrolls
// its jobs to a second page, opens a failed job, reads its log and retries
// it. The page logs no error, keeps to its policy and calls nothing off
// loopback (browsertest.Page checks all three when the test ends).
func TestDashboardInChromium(t *testing.T) {
	s := newStack(t)
	page := browsertest.Open(t, s.gateway+Path, `document.querySelector('a[href="#/`+url.PathEscape(demoProject)+`/jobs"]') !== null`)
	if got := page.PageHeader("Content-Security-Policy"); got != contentSecurityPolicy {
		t.Errorf("Chromium got the page with Content-Security-Policy %q, want %q", got, contentSecurityPolicy)
	}
	if token := browsertest.Value[string](page, `document.getElementById('token').value`); token != gitlabsim.TokenMaintainer {
		t.Errorf("the token field holds %q, want the demo token", token)
	}
	page.Click(`a[href="#/` + url.PathEscape(demoProject) + `/jobs"]`)

	// The first page fills the window, so the second waits for a scroll.
	if first := waitForRows(page, 1); len(first) != 20 {
		t.Fatalf("before any scroll the list shows %d jobs, want the first page of 20", len(first))
	}
	page.Eval(`window.scrollTo(0, document.documentElement.scrollHeight)`)
	shown := waitForRows(page, 40)

	var want []shownJob
	for pageNumber := 1; pageNumber <= 2; pageNumber++ {
		var jobs []restJob
		body := s.rest(t, fmt.Sprintf("/projects/%s/jobs?per_page=20&page=%d", url.PathEscape(demoProject), pageNumber))
		if err := json.Unmarshal(body, &jobs); err != nil {
			t.Fatal(err)
		}
		for _, job := range jobs {
			want = append(want, shownJob{ID: job.ID, Name: job.Name})
		}
	}
	if !slices.Equal(shown, want) {
		t.Errorf("after one scroll the list shows\n%v\nwant GitLab's first two pages of 20\n%v", shown, want)
	}
	seen := map[int64]bool{}
	for _, job := range shown {
		if seen[job.ID] {
			t.Errorf("job %d is listed twice", job.ID)
		}
		seen[job.ID] = true
	}
	if !seen[gitlabsim.JobFailed] {
		t.Fatalf("the list lacks the failed job %d", gitlabsim.JobFailed)
	}

	// The failed job's page shows the end of its log and its sections.
	failed := strconv.FormatInt(gitlabsim.JobFailed, 10)
	page.Click(`tr[data-job-id="` + failed + `"] a.job-name`)
	page.Poll(`document.querySelector('section.job[data-job-id="`+failed+`"] pre.log') !== null`, "the failed job's log")
	trace := string(s.rest(t, fmt.Sprintf("/projects/%s/jobs/%s/trace", url.PathEscape(demoProject), failed)))
	lines := strings.Split(strings.TrimRight(ansiEscape.ReplaceAllString(trace, ""), "\n"), "\n")
	lastLine := strings.TrimSpace(lines[len(lines)-1])
	if logText := browsertest.Value[string](page, `document.querySelector('pre.log').textContent`); !strings.Contains(logText, lastLine) {
		t.Errorf("the job page's log does not show the log's last line %q; it ends %q", lastLine, logText[max(0, len(logText)-200):])
	}
	var wantSections []string
	for _, match := range sectionStart.FindAllStringSubmatch(trace, -1) {
		wantSections = append(wantSections, match[1])
	}
	if sections := page.Texts(`.sections .section-name`); len(wantSections) == 0 || !slices.Equal(sections, wantSections) {
		t.Errorf("the job page lists the sections %q, want the log's %q", sections, wantSections)
	}

	// Retry opens the new job, which GitLab now lists first.
	page.ClickText(`.actions button`, "Retry")
	page.Poll(`(function () { var job = document.querySelector('section.job'); return job !== null && job.dataset.jobId !== `+strconv.Quote(failed)+`; })()`, "the retried job's page")
	var newest []restJob
	if err := json.Unmarshal(s.rest(t, fmt.Sprintf("/projects/%s/jobs?per_page=1", url.PathEscape(demoProject))), &newest); err != nil || len(newest) != 1 {
		t.Fatalf("GitLab lists %v (%v), want the retried job first", newest, err)
	}
	retried := newest[0]
	if retried.ID <= gitlabsim.JobFailed || retried.Name != "lint" {
		t.Errorf("GitLab's newest job is %+v, want a new lint job", retried)
	}
	shownID := browsertest.Value[string](page, `document.querySelector('section.job').dataset.jobId`)
	title := browsertest.Value[string](page, `document.querySelector('section.job .job-title').textContent`)
	status := browsertest.Value[string](page, `document.querySelector('section.job h2 .status').textContent`)
	if shownID != strconv.FormatInt(retried.ID, 10) || title != retried.Name || status != strings.ReplaceAll(retried.Status, "_", " ") {
		t.Errorf("after Retry the page shows job %s %q %q, want GitLab's new job %+v", shownID, title, status, retried)
	}
	if hash := browsertest.Value[string](page, `window.location.hash`); hash != "#/"+url.PathEscape(demoProject)+"/jobs/"+shownID {
		t.Errorf("after Retry the address is %s, want the new job's", hash)
	}
}
