package bench

import (
	"encoding/json"

	"jobgraph/gitlabsim"
)

// shape is a query the benchmarks send, with the number of upstream round
// trips on its critical path and the size of a correct answer.
type shape struct {
	name     string
	levels   int
	body     []byte // the POST body: query and variables
	size     func(*data) int
	wantSize int
}

// data holds the answer of every shape; each fills only its own part.
type data struct {
	Project struct {
		Name string `json:"name"`
		Jobs struct {
			Nodes []struct {
				ID         string `json:"id"`
				DatabaseID int64  `json:"databaseId"`
				Name       string `json:"name"`
				Status     string `json:"status"`
				Pipeline   struct {
					pipelineSummary
					DatabaseID int64    `json:"databaseId"`
					Duration   *float64 `json:"duration"`
				} `json:"pipeline"`
				User   *userSummary `json:"user"`
				Commit struct {
					Title   string `json:"title"`
					ShortID string `json:"shortId"`
				} `json:"commit"`
			} `json:"nodes"`
		} `json:"jobs"`
		Pipelines struct {
			Nodes []struct {
				Jobs struct {
					Nodes []struct {
						Name string `json:"name"`
					} `json:"nodes"`
				} `json:"jobs"`
			} `json:"nodes"`
		} `json:"pipelines"`
	} `json:"project"`
}

// pipelineSummary and userSummary are named alike in REST and GraphQL.
type pipelineSummary struct {
	Status string `json:"status"`
	Ref    string `json:"ref"`
	SHA    string `json:"sha"`
}

type userSummary struct {
	Username string `json:"username"`
	Name     string `json:"name"`
}

// distinctPipelines counts the pipelines the listed jobs belong to.
func (d *data) distinctPipelines() int {
	seen := map[int64]bool{}
	for _, j := range d.Project.Jobs.Nodes {
		seen[j.Pipeline.DatabaseID] = true
	}
	return len(seen)
}

func jobCount(d *data) int      { return len(d.Project.Jobs.Nodes) }
func pipelineCount(d *data) int { return len(d.Project.Pipelines.Nodes) }

// jobFields are the fields GitLab embeds in every listed job.
const jobFields = `id databaseId name status
	pipeline { databaseId status ref sha }
	user { username name }
	commit { title shortId }`

// family is the three query depths at one page size.
type family struct {
	name                   string
	depth1, depth2, depth3 *shape
}

// newFamily builds the depths for pages of n jobs; depth3 lists that many
// pipelines with up to n/2 jobs each.
func newFamily(name string, n, pipelines int) family {
	project := map[string]any{"p": gitlabsim.ProjectDemo, "n": n}
	return family{
		name: name,
		// depth1 needs only the job list: everything it asks for is embedded.
		depth1: newShape("depth1", 1, jobCount, n,
			`query($p: Int!, $n: Int!) { project(id: $p) { jobs(first: $n) { nodes { `+jobFields+` } } } }`, project),
		// depth2 adds a field only the full pipeline carries: the job list,
		// then every distinct pipeline.
		depth2: newShape("depth2", 2, jobCount, n,
			`query($p: Int!, $n: Int!) { project(id: $p) { jobs(first: $n) { nodes { `+jobFields+` pipeline { duration } } } } }`, project),
		// depth3 nests connections: the project by path, its pipelines, then
		// every pipeline's jobs.
		depth3: newShape("depth3", 3, pipelineCount, pipelines,
			`query($path: String!, $pipelines: Int!, $jobs: Int!) { project(fullPath: $path) { name
				pipelines(first: $pipelines) { nodes { jobs(first: $jobs) { nodes { name } } } } } }`,
			map[string]any{"path": gitlabsim.ProjectPath(gitlabsim.ProjectDemo), "pipelines": pipelines, "jobs": n / 2}),
	}
}

var (
	// page20 is a dashboard's or a merge request widget's page of jobs.
	page20 = newFamily("page20", 20, 5)
	// page100 is the largest page GitLab and the gateway serve: 270 KB of
	// job entities from GitLab for depth1.
	page100 = newFamily("page100", 100, 20)

	// jobs100 is the throughput benchmarks' query.
	jobs100 = page100.depth1
)

func (f family) shapes() []*shape { return []*shape{f.depth1, f.depth2, f.depth3} }

func newShape(name string, levels int, size func(*data) int, wantSize int, query string, vars map[string]any) *shape {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err) // a literal query and variables always encode
	}
	return &shape{name: name, levels: levels, body: body, size: size, wantSize: wantSize}
}
