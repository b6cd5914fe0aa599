package main

import (
	"context"
	"encoding/json"
	"fmt"

	"jobgraph/gitlabsim"
	"jobgraph/graph/globalid"
)

// workloadNames are the workloads, in the table's order; their documents are
// bench/workloads/WN.graphql (jobgraph's schema) and
// bench/workloads/mesh/WN.graphql (the schema Mesh makes of the OpenAPI
// description, which covers W1–W4).
var workloadNames = []string{"W1", "W2", "W3", "W4", "W5"}

// The workloads' sizes.
const (
	listedJobs    = 100 // W1, W2
	listPipelines = 20  // W3
	pipelineJobs  = 50  // W3, per pipeline
	walkPages     = 10  // W4
	walkPageSize  = 100 // W4
	tailLines     = 200 // W5
)

// logJob is W5's job: the fixture job with the 60 MB log.
var logJob = globalid.Job(gitlabsim.ProjectDemo, gitlabsim.JobHugeLog).String()

// jobgraphOps are the workloads as jobgraph's schema asks them, for
// jobgraph and for its naive twin.
func jobgraphOps(g *graphQL) map[string]op {
	demo := map[string]any{"project": gitlabsim.ProjectPath(gitlabsim.ProjectDemo)}
	type jobList struct {
		Project struct {
			Jobs struct {
				Nodes []json.RawMessage `json:"nodes"`
			} `json:"jobs"`
		} `json:"project"`
	}
	jobs := func(workload string) op {
		return checked(g, workload, demo, func(d *jobList) error {
			return wantCount(workload, "jobs", len(d.Project.Jobs.Nodes), listedJobs)
		})
	}
	return map[string]op{
		"W1": jobs("W1"),
		"W2": jobs("W2"),
		"W3": checked(g, "W3", demo, func(d *struct {
			Project struct {
				Pipelines struct {
					Nodes []struct {
						Jobs struct {
							Nodes []json.RawMessage `json:"nodes"`
						} `json:"jobs"`
					} `json:"nodes"`
				} `json:"pipelines"`
			} `json:"project"`
		}) error {
			jobs := make([]int, len(d.Project.Pipelines.Nodes))
			for i, p := range d.Project.Pipelines.Nodes {
				jobs[i] = len(p.Jobs.Nodes)
			}
			return wantPipelines(jobs)
		}),
		"W4": func(ctx context.Context, verify bool) error {
			var after *string
			seen := map[string]bool{}
			for page := range walkPages {
				data, err := g.query(ctx, "W4", map[string]any{"project": gitlabsim.ProjectBig, "after": after})
				if err != nil {
					return err
				}
				var d struct {
					Project struct {
						Jobs struct {
							PageInfo struct {
								EndCursor   *string `json:"endCursor"`
								HasNextPage bool    `json:"hasNextPage"`
							} `json:"pageInfo"`
							Nodes []struct {
								ID string `json:"id"`
							} `json:"nodes"`
						} `json:"jobs"`
					} `json:"project"`
				}
				if err := json.Unmarshal(data, &d); err != nil {
					return err
				}
				jobs := d.Project.Jobs
				if !jobs.PageInfo.HasNextPage || jobs.PageInfo.EndCursor == nil {
					return fmt.Errorf("W4: page %d has no next page", page+1)
				}
				after = jobs.PageInfo.EndCursor
				for _, n := range jobs.Nodes {
					seen[n.ID] = true
				}
			}
			if !verify {
				return nil
			}
			return wantCount("W4", "distinct jobs", len(seen), walkPages*walkPageSize)
		},
		"W5": checked(g, "W5", map[string]any{"job": logJob}, func(d *struct {
			Node struct {
				Log struct {
					Tail struct {
						Text string `json:"text"`
					} `json:"tail"`
				} `json:"log"`
			} `json:"node"`
		}) error {
			return wantTail(d.Node.Log.Tail.Text)
		}),
	}
}

// meshOps are W1–W4 as the schema Mesh builds from the OpenAPI description
// asks them.
func meshOps(g *graphQL) map[string]op {
	demo := map[string]any{"project": fmt.Sprint(gitlabsim.ProjectDemo)}
	type jobList struct {
		ProjectJobs []struct {
			FullPipeline *struct{} `json:"fullPipeline"`
		} `json:"projectJobs"`
	}
	jobs := func(workload string) op {
		return checked(g, workload, demo, func(d *jobList) error {
			for _, j := range d.ProjectJobs {
				if workload == "W2" && j.FullPipeline == nil {
					return fmt.Errorf("W2: a job without its full pipeline")
				}
			}
			return wantCount(workload, "jobs", len(d.ProjectJobs), listedJobs)
		})
	}
	return map[string]op{
		"W1": jobs("W1"),
		"W2": jobs("W2"),
		"W3": checked(g, "W3", demo, func(d *struct {
			ProjectPipelines []struct {
				Jobs []json.RawMessage `json:"jobs"`
			} `json:"projectPipelines"`
		}) error {
			jobs := make([]int, len(d.ProjectPipelines))
			for i, p := range d.ProjectPipelines {
				jobs[i] = len(p.Jobs)
			}
			return wantPipelines(jobs)
		}),
		"W4": func(ctx context.Context, verify bool) error {
			seen := map[int64]bool{}
			for page := 1; page <= walkPages; page++ {
				data, err := g.query(ctx, "W4", map[string]any{"project": fmt.Sprint(gitlabsim.ProjectBig), "page": page})
				if err != nil {
					return err
				}
				if !verify {
					continue
				}
				var d struct {
					ProjectJobs []struct {
						ID int64 `json:"id"`
					} `json:"projectJobs"`
				}
				if err := json.Unmarshal(data, &d); err != nil {
					return err
				}
				for _, j := range d.ProjectJobs {
					seen[j.ID] = true
				}
			}
			if !verify {
				return nil
			}
			return wantCount("W4", "distinct jobs", len(seen), walkPages*walkPageSize)
		},
	}
}

// checked is the op that sends workload's document with vars and, when
// verifying, decodes the answer's data into a D and checks it.
func checked[D any](g *graphQL, workload string, vars map[string]any, check func(*D) error) op {
	return func(ctx context.Context, verify bool) error {
		data, err := g.query(ctx, workload, vars)
		if err != nil || !verify {
			return err
		}
		var d D
		if err := json.Unmarshal(data, &d); err != nil {
			return fmt.Errorf("%s: %w", workload, err)
		}
		return check(&d)
	}
}

func wantCount(workload, what string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s: %d %s, want %d", workload, got, what, want)
	}
	return nil
}

// wantPipelines checks W3's answer: its pipelines, each with jobs.
func wantPipelines(jobsPerPipeline []int) error {
	if err := wantCount("W3", "pipelines", len(jobsPerPipeline), listPipelines); err != nil {
		return err
	}
	for i, n := range jobsPerPipeline {
		if n == 0 || n > pipelineJobs {
			return fmt.Errorf("W3: pipeline %d lists %d jobs", i, n)
		}
	}
	return nil
}

func wantTail(text string) error {
	if text == "" {
		return fmt.Errorf("W5: an empty tail")
	}
	return nil
}
