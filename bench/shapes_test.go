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

var (
	// jobs100 needs only the job list: everything it asks for is embedded.
	jobs100 = newShape("depth1", 1, jobCount, 100,
		`query($p: Int!) { project(id: $p) { jobs(first: 100) { nodes { `+jobFields+` } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo})
	// jobs100Duration adds a field only the full pipeline carries: the job
	// list, then every distinct pipeline.
	jobs100Duration = newShape("depth2", 2, jobCount, 100,
		`query($p: Int!) { project(id: $p) { jobs(first: 100) { nodes { `+jobFields+` pipeline { duration } } } } }`,
		map[string]any{"p": gitlabsim.ProjectDemo})
	// pipelineJobs nests connections: the project by path, its pipelines,
	// then every pipeline's jobs.
	pipelineJobs = newShape("depth3", 3, pipelineCount, 20,
		`query($path: String!) { project(fullPath: $path) { name
			pipelines(first: 20) { nodes { jobs(first: 50) { nodes { name } } } } } }`,
		map[string]any{"path": gitlabsim.ProjectPath(gitlabsim.ProjectDemo)})

	depths = []*shape{jobs100, jobs100Duration, pipelineJobs}
)

func newShape(name string, levels int, size func(*data) int, wantSize int, query string, vars map[string]any) *shape {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err) // a literal query and variables always encode
	}
	return &shape{name: name, levels: levels, body: body, size: size, wantSize: wantSize}
}
