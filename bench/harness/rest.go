package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"golang.org/x/sync/errgroup"

	"jobgraph/gitlabsim"
)

// restClient is the hand-written frontend: the REST calls a careful client
// makes for each workload's data, in parallel where they can be, decoded
// with encoding/json into structs holding only the fields the workload
// shows. It is the lower bound of the work a gateway does.
type restClient struct {
	api    string // gitlabsim's /api/v4
	client *http.Client
}

// The fields the workloads show, as GitLab names them.
type (
	restJob struct {
		ID        int64    `json:"id"`
		Name      string   `json:"name"`
		Status    string   `json:"status"`
		Stage     string   `json:"stage"`
		Duration  *float64 `json:"duration"`
		CreatedAt string   `json:"created_at"`
		Pipeline  struct {
			ID        int64  `json:"id"`
			ProjectID int64  `json:"project_id"`
			Status    string `json:"status"`
			Ref       string `json:"ref"`
			SHA       string `json:"sha"`
		} `json:"pipeline"`
		User *struct {
			Username string `json:"username"`
			Name     string `json:"name"`
		} `json:"user"`
		Commit struct {
			ShortID string `json:"short_id"`
			Title   string `json:"title"`
		} `json:"commit"`
	}
	restPipeline struct {
		ID       int64    `json:"id"`
		Status   string   `json:"status"`
		Duration *float64 `json:"duration"`
		Coverage *string  `json:"coverage"`
	}
	restPipelineSummary struct {
		ID        int64  `json:"id"`
		ProjectID int64  `json:"project_id"`
		Status    string `json:"status"`
	}
	restJobSummary struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Status string `json:"status"`
	}
)

// get reads url into v and returns the response's next
// page link, if any.
func (c *restClient) get(ctx context.Context, url string, v any) (next string, err error) {
	resp, err := c.send(ctx, url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return "", fmt.Errorf("GET %s: %w", resp.Request.URL.Path, err)
	}
	return nextLink(resp.Header.Get("Link")), nil
}

// send GETs url with the caller's token; any status but 200 fails it.
func (c *restClient) send(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: status %d", req.URL.Path, resp.StatusCode)
	}
	return resp, nil
}

var nextRel = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

func nextLink(link string) string {
	if m := nextRel.FindStringSubmatch(link); m != nil {
		return m[1]
	}
	return ""
}

func (c *restClient) ops() map[string]op {
	demo := fmt.Sprintf("%s/projects/%d", c.api, gitlabsim.ProjectDemo)
	return map[string]op{
		"W1": func(ctx context.Context, _ bool) error {
			_, err := c.jobs(ctx, demo)
			return err
		},
		"W2": func(ctx context.Context, _ bool) error {
			jobs, err := c.jobs(ctx, demo)
			if err != nil {
				return err
			}
			// Each distinct pipeline once, all at once.
			var ids []int64
			seen := map[int64]bool{}
			for _, j := range jobs {
				if !seen[j.Pipeline.ID] {
					seen[j.Pipeline.ID] = true
					ids = append(ids, j.Pipeline.ID)
				}
			}
			pipelines := make([]restPipeline, len(ids))
			g, gctx := errgroup.WithContext(ctx)
			for i, id := range ids {
				g.Go(func() error {
					_, err := c.get(gctx, fmt.Sprintf("%s/pipelines/%d", demo, id), &pipelines[i])
					return err
				})
			}
			return g.Wait()
		},
		"W3": func(ctx context.Context, _ bool) error {
			var pipelines []restPipelineSummary
			if _, err := c.get(ctx, fmt.Sprintf("%s/pipelines?per_page=%d", demo, listPipelines), &pipelines); err != nil {
				return err
			}
			jobs := make([][]restJobSummary, len(pipelines))
			g, gctx := errgroup.WithContext(ctx)
			for i, p := range pipelines {
				g.Go(func() error {
					_, err := c.get(gctx, fmt.Sprintf("%s/pipelines/%d/jobs?per_page=%d", demo, p.ID, pipelineJobs), &jobs[i])
					return err
				})
			}
			if err := g.Wait(); err != nil {
				return err
			}
			counts := make([]int, len(jobs))
			for i, j := range jobs {
				counts[i] = len(j)
			}
			return wantPipelines(counts)
		},
		"W4": func(ctx context.Context, _ bool) error {
			// A walk: each page after the one naming it, by keyset.
			url := fmt.Sprintf("%s/projects/%d/jobs?pagination=keyset&order_by=id&sort=desc&per_page=%d", c.api, gitlabsim.ProjectBig, walkPageSize)
			total := 0
			for range walkPages {
				var jobs []restJobSummary
				next, err := c.get(ctx, url, &jobs)
				if err != nil {
					return err
				}
				total += len(jobs)
				if url = next; url == "" {
					return fmt.Errorf("W4: no page after %d jobs", total)
				}
			}
			return wantCount("W4", "jobs", total, walkPages*walkPageSize)
		},
		"W5": func(ctx context.Context, _ bool) error {
			// The job and its log's tail at once.
			var job restJobSummary
			var tail string
			g, gctx := errgroup.WithContext(ctx)
			g.Go(func() error {
				_, err := c.get(gctx, fmt.Sprintf("%s/jobs/%d", demo, gitlabsim.JobHugeLog), &job)
				return err
			})
			g.Go(func() (err error) {
				tail, err = c.logTail(gctx, fmt.Sprintf("%s/jobs/%d/trace", demo, gitlabsim.JobHugeLog), tailLines)
				return err
			})
			if err := g.Wait(); err != nil {
				return err
			}
			return wantTail(tail)
		},
	}
}

// jobs reads a project's newest jobs.
func (c *restClient) jobs(ctx context.Context, project string) ([]restJob, error) {
	var jobs []restJob
	if _, err := c.get(ctx, fmt.Sprintf("%s/jobs?per_page=%d", project, listedJobs), &jobs); err != nil {
		return nil, err
	}
	return jobs, wantCount("REST", "jobs", len(jobs), listedJobs)
}

// logTail streams a log and keeps its last n lines in a ring.
func (c *restClient) logTail(ctx context.Context, url string, n int) (string, error) {
	resp, err := c.send(ctx, url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	ring := make([][]byte, n) // each slot's memory reused
	count := 0
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		ring[count%n] = append(ring[count%n][:0], lines.Bytes()...)
		count++
	}
	if err := lines.Err(); err != nil {
		return "", err
	}
	var b strings.Builder
	for i := max(count-n, 0); i < count; i++ {
		b.Write(ring[i%n])
		b.WriteByte('\n')
	}
	return b.String(), nil
}
