package gitlabsim

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"
)

// worldEpoch is "now" in a freshly seeded world, fixed so every seed renders the same
// timestamps in every run and on every machine.
var worldEpoch = time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC)

// Volumes are fixed for every seed so that ids are too; the seed picks contents.
const (
	demoPipelines       = 80
	bigPipelines        = 10200
	bigFullEvery        = 10
	downstreamPipelines = 12
	privatePipelines    = 20
)

type jobSpec struct {
	name, stage  string
	manual       bool
	allowFailure bool
	tags         []string
}

var standardJobs = []jobSpec{
	{name: "compile", stage: "build", tags: []string{"linux", "docker"}},
	{name: "lint", stage: "build", allowFailure: true, tags: []string{"docker", "linux"}},
	{name: "rspec 1/2", stage: "test", tags: []string{"ruby", "docker", "linux"}},
	{name: "rspec 2/2", stage: "test", tags: []string{"ruby", "docker", "linux"}},
	{name: "jest", stage: "test", tags: []string{"node", "docker"}},
	{name: "deploy:staging", stage: "deploy", tags: []string{"deploy", "k8s"}},
	{name: "deploy:production", stage: "deploy", manual: true, tags: []string{"deploy", "k8s"}},
}

var syncJobs = []jobSpec{{name: "sync:mirror", stage: "build", tags: []string{"docker"}}}

var downstreamJobs = []jobSpec{
	{name: "smoke", stage: "test", tags: []string{"docker"}},
	{name: "deploy:k8s", stage: "deploy", tags: []string{"k8s"}},
}

type seeder struct {
	w   *world
	rng *rand.Rand
}

func newWorld(seed int64) *world {
	w := &world{
		seed:        seed,
		usersByID:   map[int64]*user{},
		projectByID: map[int64]*project{},
		jobsByID:    make(map[int64]*job, 20000),
		jobTokens:   map[string]*job{},
		pipelines:   make(map[int64]*pipeline, 12000),
		nextJobID:   1,
		nextPipeID:  1,
		now:         worldEpoch,
	}
	s := &seeder{w: w, rng: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))}
	s.users()
	s.runners()
	s.projects()
	s.history(w.projectByID[ProjectDemo], demoPipelines, 90*24*time.Hour, 1)
	s.history(w.projectByID[ProjectBig], bigPipelines, 60*24*time.Hour, bigFullEvery)
	s.history(w.projectByID[ProjectDownstream], downstreamPipelines, 30*24*time.Hour, 1)
	s.history(w.projectByID[ProjectPrivate], privatePipelines, 45*24*time.Hour, 1)
	s.fixture()
	return w
}

func (s *seeder) users() {
	seedUsers := []*user{
		{ID: UserRoot, Username: "root", Name: "Administrator", Organization: "Demo Corp", Timezone: time.UTC},
		{ID: UserMaintainer, Username: "mia.maintainer", Name: "Mia Maintainer", JobTitle: "Staff Engineer", Location: "Berlin", Timezone: zone("Europe/Berlin")},
		{ID: UserDeveloper, Username: "dev.dana", Name: "Dana Developer", JobTitle: "Backend Engineer", Location: "Lisbon", Timezone: zone("Europe/Lisbon")},
		{ID: UserGuest, Username: "gus.guest", Name: "Gus Guest", Bio: "Reads pipelines, ships nothing."},
		{ID: UserOutsider, Username: "otto.outsider", Name: "Otto Outsider"},
		{ID: 6, Username: "alice.ops", Name: "Alice Ops", JobTitle: "SRE"},
		{ID: 7, Username: "bob.builder", Name: "Bob Builder"},
		{ID: 8, Username: "carol.qa", Name: "Carol QA", Location: "Toronto", Timezone: zone("America/Toronto")},
		{ID: 9, Username: "release-bot", Name: "Release Bot", Bot: true},
	}
	for i, u := range seedUsers {
		u.Email = u.Username + "@example.com"
		u.CreatedAt = worldEpoch.AddDate(-2, 0, i*7).Add(time.Duration(i) * 1234567 * time.Millisecond)
		s.w.users = append(s.w.users, u)
		s.w.usersByID[u.ID] = u
	}
}

func (s *seeder) runners() {
	s.w.runners = []*runner{
		{ID: 11, Description: "shared-docker-autoscaler-1", RunnerType: "instance_type", Shared: true},
		{ID: 12, Description: "shared-docker-autoscaler-2", RunnerType: "instance_type", Shared: true},
		{ID: 13, Description: "platform-k8s-deployer", RunnerType: "group_type"},
	}
	for _, r := range s.w.runners {
		r.SystemID = fmt.Sprintf("s_%012x", uint64(r.ID)*0x5DEECE66D)
		r.Version = "17.6.0"
		r.Revision = "374d34fd"
	}
}

func (s *seeder) projects() {
	demoNS := namespace{ID: 21, Name: "Demo Group / Platform", Path: "platform", FullPath: "demo-group/platform", ParentID: 20}
	toolsNS := namespace{ID: 22, Name: "Demo Group / Tools", Path: "tools", FullPath: "demo-group/tools", ParentID: 20}
	acmeNS := namespace{ID: 31, Name: "Acme / Secret", Path: "secret", FullPath: "acme/secret", ParentID: 30}
	team := map[int64]int{UserRoot: 50, UserMaintainer: accessMaintainer, UserDeveloper: accessDeveloper, UserGuest: accessGuest, 6: accessMaintainer, 7: accessDeveloper, 8: accessDeveloper, 9: accessDeveloper}
	private := map[int64]int{UserRoot: 50, UserMaintainer: accessMaintainer, UserDeveloper: accessDeveloper, UserGuest: accessGuest, 6: accessDeveloper}
	all := []*project{
		{ID: ProjectDemo, Name: "Web App", Path: "web-app", Namespace: demoNS, Visibility: visibilityInternal, Description: "Customer-facing web application.", Topics: []string{"rails", "web"}, Members: team, StarCount: 42, ForksCount: 3},
		{ID: ProjectBig, Name: "Monorepo", Path: "monorepo", Namespace: demoNS, Visibility: visibilityPublic, Description: "Every service in one repository.", Topics: []string{"monorepo"}, Members: team, StarCount: 311, ForksCount: 27},
		{ID: ProjectDownstream, Name: "Deployer", Path: "deployer", Namespace: toolsNS, Visibility: visibilityPublic, Description: "Deploys what the platform builds.", Members: team, StarCount: 5},
		{ID: ProjectPrivate, Name: "Payments", Path: "payments", Namespace: acmeNS, Visibility: visibilityPrivate, Description: "Card processing.", Topics: []string{"pci"}, Members: private, StarCount: 1},
	}
	for i, p := range all {
		p.DefaultBranch = "main"
		p.CreatedAt = worldEpoch.AddDate(-1, -i, 0)
		p.Commits = map[string]*commit{}
		s.w.projects = append(s.w.projects, p)
		s.w.projectByID[p.ID] = p
	}
}

var commitTitles = []string{
	"Fix flaky checkout spec", "Bump rack to 3.1.8", "Add retry to payment webhook", "Refactor job serializer",
	"Speed up asset compilation", "Update CI cache keys", "Handle nil runner in job view", "Add pagination to audit log",
	"Drop unused feature flag", "Document deploy rollback", "Tune database pool size", "Escape project paths in links",
}

var authorZones = []*time.Location{
	time.UTC, time.FixedZone("", 3600), time.FixedZone("", -5*3600), time.FixedZone("", 5*3600+1800),
}

var humanAuthors = []int64{UserMaintainer, UserDeveloper, 6, 7, 8}

func (s *seeder) sha() string {
	var b [20]byte
	for i := 0; i < 20; i += 8 {
		v := s.rng.Uint64()
		for k := 0; k < 8 && i+k < 20; k++ {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	return hex.EncodeToString(b[:])
}

func (s *seeder) commit(p *project, parent string, at time.Time) *commit {
	author := s.w.usersByID[humanAuthors[s.rng.IntN(len(humanAuthors))]]
	title := commitTitles[s.rng.IntN(len(commitTitles))]
	c := &commit{
		SHA:           s.sha(),
		Title:         title,
		Message:       title + "\n\nChangelog: changed\n",
		AuthorName:    author.Name,
		AuthorEmail:   author.Email,
		AuthoredAt:    at.Add(-time.Duration(s.rng.IntN(3600)) * time.Second).Truncate(time.Second),
		CommitterName: author.Name, CommitterEmail: author.Email,
		CommittedAt: at.Add(-time.Duration(s.rng.IntN(60)) * time.Second).Truncate(time.Second),
		Zone:        authorZones[s.rng.IntN(len(authorZones))],
		Additions:   1 + s.rng.IntN(400),
		Deletions:   s.rng.IntN(200),
	}
	if parent != "" {
		c.ParentIDs = []string{parent}
	}
	p.Commits[c.SHA] = c
	return c
}

// history seeds count finished pipelines spread over span, oldest first, so ids grow with time.
// Every fullEvery-th pipeline runs the full build/test/deploy set; the rest are mirror syncs.
func (s *seeder) history(p *project, count int, span time.Duration, fullEvery int) {
	step := span / time.Duration(count)
	start := s.w.now.Add(-span)
	parent := ""
	for i := 0; i < count; i++ {
		at := start.Add(time.Duration(i)*step + time.Duration(s.rng.Int64N(int64(step/2)+1)))
		c := s.commit(p, parent, at)
		parent = c.SHA
		specs, source := standardJobs, "push"
		switch {
		case p.ID == ProjectDownstream:
			specs = downstreamJobs
		case i%fullEvery != 0:
			specs, source = syncJobs, "schedule"
		case i%7 == 3:
			source = "merge_request_event"
		}
		ref := p.DefaultBranch
		if source == "merge_request_event" {
			ref = fmt.Sprintf("refs/merge-requests/%d/head", 100+i)
		}
		pl := s.pipeline(p, c, ref, source, at, humanAuthors[s.rng.IntN(len(humanAuthors))])
		if source == "schedule" {
			pl.Name = "Mirror sync"
		}
		s.finishedJobs(pl, specs)
		pl.refreshStatus()
		if p.ID == ProjectDemo && i%4 == 1 && pl.Status == "success" {
			s.bridge(pl, "trigger:deployer", "deploy")
		}
	}
}

func (s *seeder) pipeline(p *project, c *commit, ref, source string, at time.Time, userID int64) *pipeline {
	pl := &pipeline{
		ID: s.w.nextPipeID, IID: int64(len(p.Pipelines) + 1), Project: p, Commit: c, Ref: ref, Source: source,
		UserID: userID, CreatedAt: at, UpdatedAt: at, BeforeSHA: "0000000000000000000000000000000000000000",
	}
	if len(c.ParentIDs) > 0 {
		pl.BeforeSHA = c.ParentIDs[0]
	}
	s.w.nextPipeID++
	p.Pipelines = append(p.Pipelines, pl)
	s.w.pipelines[pl.ID] = pl
	if p.LastActivityAt.Before(at) {
		p.LastActivityAt = at
	}
	return pl
}

func (s *seeder) newJob(pl *pipeline, spec jobSpec) *job {
	j := s.w.addJob(pl, spec, s.w.nextJobID)
	s.w.nextJobID++
	return j
}

type pipelineOutcome int

const (
	outcomeSuccess pipelineOutcome = iota
	outcomeFailed
	outcomeCanceled
)

// finishedJobs runs a pipeline to its end: stages in order, a failing stage skips the
// later ones, and some failures were retried into a success.
func (s *seeder) finishedJobs(pl *pipeline, specs []jobSpec) {
	outcome := outcomeSuccess
	switch r := s.rng.IntN(100); {
	case r < 12:
		outcome = outcomeFailed
	case r < 18:
		outcome = outcomeCanceled
	}
	clock := pl.CreatedAt.Add(time.Duration(1+s.rng.IntN(5)) * time.Second)
	pl.StartedAt = clock
	stageEnd, stage, broken := clock, "", false
	var retries []*job
	for _, spec := range specs {
		if spec.stage != stage {
			stage, clock = spec.stage, stageEnd
		}
		j := s.newJob(pl, spec)
		willRetry := false
		switch {
		case broken:
			j.Status = "skipped"
		case spec.manual:
			j.Status = "manual"
			if s.rng.IntN(10) < 3 {
				s.run(j, clock, "success")
			}
		case outcome == outcomeFailed && spec.stage == "test" && spec.name == "rspec 2/2":
			s.run(j, clock, "failed")
		case outcome == outcomeCanceled && spec.stage == "test":
			s.run(j, clock, "canceled")
		case spec.name == "lint" && s.rng.IntN(10) == 0:
			s.run(j, clock, "failed")
		case spec.stage == "test" && s.rng.IntN(12) == 0:
			s.run(j, clock, "failed")
			retries = append(retries, j)
			willRetry = true
		default:
			s.run(j, clock, "success")
		}
		if j.FinishedAt.After(stageEnd) {
			stageEnd = j.FinishedAt
		}
		if j.Status == "failed" && !j.AllowFailure && !willRetry || j.Status == "canceled" {
			broken = true
		}
	}
	for _, old := range retries {
		fresh := s.w.retryJob(old, s.w.nextJobID, old.UserID)
		s.w.nextJobID++
		s.run(fresh, old.FinishedAt.Add(time.Minute), "success")
		if fresh.FinishedAt.After(stageEnd) {
			stageEnd = fresh.FinishedAt
		}
	}
	pl.FinishedAt = stageEnd
	pl.UpdatedAt = stageEnd
}

var failureReasons = []string{"script_failure", "script_failure", "script_failure", "runner_system_failure", "stuck_or_timeout_failure"}

// run gives a job a runner, timings, log, artifacts and its final status.
func (s *seeder) run(j *job, from time.Time, status string) {
	j.QueuedAt = from
	j.StartedAt = from.Add(time.Duration(200+s.rng.IntN(20000)) * time.Millisecond)
	base := map[string]int{"build": 60, "test": 120, "deploy": 30}[j.Stage]
	if base == 0 {
		base = 45
	}
	j.FinishedAt = j.StartedAt.Add(time.Duration(base*1000+s.rng.IntN(base*4000)) * time.Millisecond)
	j.Runner = s.w.runners[s.rng.IntN(len(s.w.runners))]
	j.Status = status
	j.LogLines = 20 + s.rng.IntN(120)
	switch status {
	case "failed":
		j.FailureReason = failureReasons[s.rng.IntN(len(failureReasons))]
		j.Artifacts = []artifact{{FileType: "trace", Size: int64(j.LogLines) * 71, Filename: "job.log", FileFormat: "raw"}}
	case "success":
		j.Artifacts = successArtifacts(j, s.rng)
		j.ArtifactsUntil = j.FinishedAt.AddDate(0, 0, 30)
		if j.Name == "rspec 1/2" || j.Name == "rspec 2/2" {
			c := float64(800+s.rng.IntN(190)) / 10
			j.Coverage = &c
		}
	case "canceled":
		j.LogLines /= 2
	}
}

func successArtifacts(j *job, rng *rand.Rand) []artifact {
	out := []artifact{
		{FileType: "archive", Size: int64(1000 + rng.IntN(5_000_000)), Filename: "artifacts.zip", FileFormat: "zip"},
		{FileType: "metadata", Size: int64(100 + rng.IntN(2000)), Filename: "metadata.gz", FileFormat: "gzip"},
		{FileType: "trace", Size: int64(j.LogLines) * 71, Filename: "job.log", FileFormat: "raw"},
	}
	if j.Stage == "test" {
		out = append(out, artifact{FileType: "junit", Size: int64(500 + rng.IntN(20000)), Filename: "junit.xml.gz", FileFormat: "gzip"})
	}
	return out
}

// bridge adds a trigger job whose downstream pipeline runs in ProjectDownstream.
func (s *seeder) bridge(pl *pipeline, name, stage string) *job {
	b := s.newJob(pl, jobSpec{name: name, stage: stage})
	b.Kind = kindBridge
	down := s.w.projectByID[ProjectDownstream]
	at := pl.FinishedAt
	if at.IsZero() {
		at = pl.CreatedAt.Add(2 * time.Minute)
	}
	c := s.commit(down, "", at)
	dp := s.pipeline(down, c, down.DefaultBranch, "pipeline", at, pl.UserID)
	s.finishedJobs(dp, downstreamJobs)
	dp.refreshStatus()
	b.Downstream = dp
	b.QueuedAt, b.StartedAt, b.FinishedAt = at, at, at.Add(time.Second)
	b.Status = "success"
	return b
}
