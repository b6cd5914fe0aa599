package graph

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"jobgraph/graph/model"
	"jobgraph/restclient"
)

// This file maps GitLab's REST entities onto the GraphQL models, field for
// field. GitLab's empty strings for absent optional text become nulls.

// optional is nil for GitLab's empty string, else s itself: a pointer into
// the decoded entity, which nothing changes once decoded (models already
// point into it for its other optional fields), rather than a heap copy of
// every optional string.
func optional(s *string) *string {
	if *s == "" {
		return nil
	}
	return s
}

func size(n int64) *int {
	v := int(n)
	return &v
}

// ciStatus maps GitLab's status of a job, a pipeline or a commit.
func ciStatus[S ~string](s S) model.CiStatus {
	return model.CiStatus(strings.ToUpper(string(s)))
}

// knownTime is nil for the zero time: GitLab sent null. It points into the
// decoded entity, read-only like the rest of it, instead of copying the time
// to the heap once per job.
func knownTime(t *time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return t
}

// embeddedModels maps the objects GitLab embeds in the jobs of one page once
// each. restclient's decoder hands jobs that embed byte-identical users,
// commits, pipelines, runners and runner managers the same pointer (GitLab's 100 demo jobs: 4 users,
// 14 commits), so the jobs share the model of each, which, like the decoded
// value, nothing changes once it is built. The zero value is ready to use.
type embeddedModels struct {
	users     map[*restclient.User]*model.User
	commits   map[projectCommit]*model.Commit
	pipelines map[*restclient.PipelineInfo]*model.Pipeline
	runners   map[*restclient.Runner]*model.Runner
	managers  map[*restclient.RunnerManager]*model.RunnerManager
}

// projectCommit keys a commit's model: it carries the project it is read in.
type projectCommit struct {
	project int64
	commit  *restclient.Commit
}

// memo returns the model of key in *cache, building it on first use.
func memo[K comparable, M any](cache *map[K]*M, key K, build func() *M) *M {
	if m, ok := (*cache)[key]; ok {
		return m
	}
	if *cache == nil {
		*cache = map[K]*M{}
	}
	m := build()
	(*cache)[key] = m
	return m
}

func (e *embeddedModels) user(u *restclient.User) *model.User {
	if u == nil {
		return nil
	}
	return memo(&e.users, u, func() *model.User { return userModel(u) })
}

func (e *embeddedModels) commit(project int64, c *restclient.Commit) *model.Commit {
	if c == nil {
		return nil
	}
	return memo(&e.commits, projectCommit{project, c}, func() *model.Commit { return commitModel(project, c) })
}

func (e *embeddedModels) pipeline(p *restclient.PipelineInfo) *model.Pipeline {
	if p == nil {
		return nil
	}
	return memo(&e.pipelines, p, func() *model.Pipeline { return pipelineInfoModel(p) })
}

func (e *embeddedModels) runner(r *restclient.Runner) *model.Runner {
	if r == nil {
		return nil
	}
	return memo(&e.runners, r, func() *model.Runner { return runnerModel(r) })
}

func (e *embeddedModels) runnerManager(rm *restclient.RunnerManager) *model.RunnerManager {
	if rm == nil {
		return nil
	}
	return memo(&e.managers, rm, func() *model.RunnerManager { return runnerManagerModel(rm) })
}

func projectModel(p *restclient.Project) *model.Project {
	m := &model.Project{
		Key:               strconv.FormatInt(p.ID, 10),
		DatabaseID:        p.ID,
		Name:              p.Name,
		NameWithNamespace: p.NameWithNamespace,
		Path:              p.Path,
		FullPath:          p.PathWithNamespace,
		Description:       p.Description,
		DefaultBranch:     optional(&p.DefaultBranch),
		WebURL:            p.WebURL,
		AvatarURL:         p.AvatarURL,
		Topics:            p.Topics,
		Archived:          p.Archived,
		CreatedAt:         p.CreatedAt,
		LastActivityAt:    p.LastActivityAt,
	}
	if m.Topics == nil {
		m.Topics = []string{}
	}
	m.SSHURLToRepo, m.HTTPURLToRepo, m.ReadmeURL = optional(&p.SSHURLToRepo), optional(&p.HTTPURLToRepo), p.ReadmeURL
	m.ForksCount, m.StarCount, m.EmptyRepo = p.ForksCount, p.StarCount, p.EmptyRepo
	if p.CreatorID != 0 {
		m.CreatorID = size(p.CreatorID)
	}
	m.BuildsAccessLevel, m.CIConfigPath = optional(&p.BuildsAccessLevel), p.CIConfigPath
	m.JobsEnabled, m.PublicJobs, m.SharedRunnersEnabled = p.JobsEnabled, p.PublicJobs, p.SharedRunnersEnabled
	if v := model.ProjectVisibility(strings.ToUpper(p.Visibility)); v.IsValid() {
		m.Visibility = &v
	}
	if ns := p.Namespace; ns != nil {
		m.Namespace = &model.Namespace{
			DatabaseID: int(ns.ID), Name: ns.Name, Path: ns.Path, Kind: ns.Kind,
			FullPath: ns.FullPath, WebURL: ns.WebURL, AvatarURL: optional(&ns.AvatarURL),
		}
		if ns.ParentID != nil {
			m.Namespace.ParentID = size(*ns.ParentID)
		}
	}
	return m
}

// commonJobFields maps what a job and a bridge share; project is used when
// the embedded pipeline does not name the project.
func (e *embeddedModels) commonJobFields(project int64, c *restclient.CommonJobFields) model.CommonJobFields {
	if c.Pipeline != nil && c.Pipeline.ProjectID != 0 {
		project = c.Pipeline.ProjectID
	}
	return model.CommonJobFields{
		DatabaseID:     c.ID,
		ProjectID:      project,
		Name:           c.Name,
		Stage:          c.Stage,
		RawStatus:      ciStatus(c.Status),
		Ref:            c.Ref,
		Tag:            c.Tag,
		Coverage:       c.Coverage,
		AllowFailure:   c.AllowFailure,
		CreatedAt:      knownTime(&c.CreatedAt),
		StartedAt:      c.StartedAt,
		FinishedAt:     c.FinishedAt,
		ErasedAt:       c.ErasedAt,
		Duration:       c.Duration,
		QueuedDuration: c.QueuedDuration,
		FailureReason:  optional(&c.FailureReason),
		WebURL:         c.WebURL,
		User:           e.user(c.User),
		Commit:         e.commit(project, c.Commit),
		Pipeline:       e.pipeline(c.Pipeline),
	}
}

// jobModel maps a job of project.
func jobModel(project int64, j *restclient.Job) *model.Job {
	m := new(model.Job)
	new(embeddedModels).job(m, project, j)
	return m
}

// job maps a job of project into m.
func (e *embeddedModels) job(m *model.Job, project int64, j *restclient.Job) {
	*m = model.Job{
		CommonJobFields:   e.commonJobFields(project, &j.CommonJobFields),
		TagList:           j.TagList,
		Archived:          j.Archived,
		ArtifactsExpireAt: j.ArtifactsExpireAt,
		Artifacts:         make([]*model.JobArtifact, len(j.Artifacts)),
	}
	if m.TagList == nil {
		m.TagList = []string{}
	}
	if j.Project != nil {
		m.CIJobTokenScopeEnabled = &j.Project.CIJobTokenScopeEnabled
	}
	// A job's artifacts, and their sizes, are built in one slice each rather
	// than two allocations per artifact.
	artifacts, sizes := make([]model.JobArtifact, len(j.Artifacts)), make([]int, len(j.Artifacts))
	for i := range j.Artifacts {
		a := &j.Artifacts[i]
		sizes[i] = int(a.Size)
		artifacts[i] = model.JobArtifact{FileType: a.FileType, Size: &sizes[i], Filename: a.Filename, FileFormat: optional(&a.FileFormat)}
		m.Artifacts[i] = &artifacts[i]
	}
	if f := j.ArtifactsFile; f != nil {
		m.ArtifactsFile = &model.ArtifactsFile{Filename: f.Filename, Size: size(f.Size)}
	}
	m.Runner = e.runner(j.Runner)
	m.RunnerManager = e.runnerManager(j.RunnerManager)
}

func runnerModel(r *restclient.Runner) *model.Runner {
	return &model.Runner{
		DatabaseID: int(r.ID), Description: optional(&r.Description), IPAddress: r.IPAddress, Name: r.Name,
		RunnerType: optional(&r.RunnerType), IsShared: r.IsShared, Active: r.Active,
		Paused: r.Paused, Online: r.Online, Status: optional(&r.Status),
	}
}

func runnerManagerModel(rm *restclient.RunnerManager) *model.RunnerManager {
	return &model.RunnerManager{
		DatabaseID: int(rm.ID), SystemID: optional(&rm.SystemID), Version: optional(&rm.Version),
		Revision: optional(&rm.Revision), Platform: optional(&rm.Platform),
		Architecture: optional(&rm.Architecture), CreatedAt: rm.CreatedAt,
		ContactedAt: rm.ContactedAt, IPAddress: optional(&rm.IPAddress), Status: optional(&rm.Status),
	}
}

// bridgeModel maps a bridge of pipeline in project.
func bridgeModel(project, pipeline int64, b *restclient.Bridge) *model.Bridge {
	var e embeddedModels
	m := &model.Bridge{
		CommonJobFields:    e.commonJobFields(project, &b.CommonJobFields),
		PipelineID:         pipeline,
		DownstreamPipeline: pipelineInfoModel(b.DownstreamPipeline),
	}
	if b.Pipeline != nil && b.Pipeline.ID != 0 {
		m.PipelineID = b.Pipeline.ID
	}
	return m
}

func pipelineInfoModel(p *restclient.PipelineInfo) *model.Pipeline {
	if p == nil {
		return nil
	}
	return &model.Pipeline{
		DatabaseID:   p.ID,
		Iid:          p.IID,
		ProjectID:    p.ProjectID,
		Sha:          p.SHA,
		Ref:          p.Ref,
		RawStatus:    ciStatus(p.Status),
		Source:       optional(&p.Source),
		WorkflowName: p.Name,
		CreatedAt:    p.CreatedAt,
		UpdatedAt:    p.UpdatedAt,
		WebURL:       p.WebURL,
	}
}

func pipelineModel(p *restclient.Pipeline) *model.Pipeline {
	m := pipelineInfoModel(&p.PipelineInfo)
	m.Detail = pipelineDetail(p)
	return m
}

func pipelineDetail(p *restclient.Pipeline) *model.PipelineDetail {
	d := &model.PipelineDetail{
		BeforeSha:      optional(&p.BeforeSHA),
		Tag:            &p.Tag,
		YamlErrors:     p.YamlErrors,
		User:           userModel(p.User),
		StartedAt:      p.StartedAt,
		FinishedAt:     p.FinishedAt,
		CommittedAt:    p.CommittedAt,
		Duration:       p.Duration,
		QueuedDuration: p.QueuedDuration,
		Coverage:       p.Coverage,
	}
	if s := p.DetailedStatus; s != nil {
		d.DetailedStatus = &model.DetailedStatus{
			Icon: optional(&s.Icon), Text: optional(&s.Text), Label: optional(&s.Label),
			Group: optional(&s.Group), Tooltip: optional(&s.Tooltip), HasDetails: s.HasDetails,
			DetailsPath: optional(&s.DetailsPath), Favicon: optional(&s.Favicon),
		}
		if il := s.Illustration; il != nil {
			d.DetailedStatus.Illustration = &model.StatusIllustration{
				Image: optional(&il.Image), Size: optional(&il.Size), Title: optional(&il.Title), Content: optional(&il.Content),
			}
		}
	}
	return d
}

func commitModel(project int64, c *restclient.Commit) *model.Commit {
	if c == nil {
		return nil
	}
	m := &model.Commit{
		ProjectID:      project,
		Sha:            c.ID,
		ShortID:        c.ShortID,
		Title:          c.Title,
		Message:        c.Message,
		AuthorName:     optional(&c.AuthorName),
		AuthorEmail:    optional(&c.AuthorEmail),
		AuthoredDate:   c.AuthoredDate,
		CommitterName:  optional(&c.CommitterName),
		CommitterEmail: optional(&c.CommitterEmail),
		CommittedDate:  c.CommittedDate,
		CreatedAt:      c.CreatedAt,
		ParentIds:      c.ParentIDs,
		WebURL:         c.WebURL,
	}
	if m.ParentIds == nil {
		m.ParentIds = []string{}
	}
	m.Trailers = make([]*model.CommitTrailer, 0, len(c.Trailers))
	m.ExtendedTrailers = make([]*model.CommitTrailerValues, 0, len(c.ExtendedTrailers))
	// Most commits have no trailers; sorting their keys would still allocate
	// the iterators and the key slice.
	if len(c.Trailers) > 0 {
		for _, k := range slices.Sorted(maps.Keys(c.Trailers)) {
			m.Trailers = append(m.Trailers, &model.CommitTrailer{Key: k, Value: c.Trailers[k]})
		}
	}
	if len(c.ExtendedTrailers) > 0 {
		for _, k := range slices.Sorted(maps.Keys(c.ExtendedTrailers)) {
			m.ExtendedTrailers = append(m.ExtendedTrailers, &model.CommitTrailerValues{Key: k, Values: c.ExtendedTrailers[k]})
		}
	}
	return m
}

// commitDetail maps what only the single-commit response carries.
func commitDetail(c *restclient.Commit) *model.CommitDetail {
	d := &model.CommitDetail{LastPipeline: pipelineInfoModel(c.LastPipeline)}
	if c.Status != nil {
		d.RawStatus = new(ciStatus(*c.Status))
	}
	if s := c.Stats; s != nil {
		d.Stats = &model.CommitStats{Additions: s.Additions, Deletions: s.Deletions, Total: s.Total}
	}
	return d
}

func userModel(u *restclient.User) *model.User {
	if u == nil {
		return nil
	}
	return &model.User{
		DatabaseID:      u.ID,
		Username:        u.Username,
		Name:            u.Name,
		State:           u.State,
		Locked:          u.Locked,
		AvatarURL:       optional(&u.AvatarURL),
		WebURL:          u.WebURL,
		CreatedAt:       u.CreatedAt,
		Bio:             optional(&u.Bio),
		Location:        optional(&u.Location),
		PublicEmail:     optional(&u.PublicEmail),
		Linkedin:        optional(&u.Linkedin),
		Twitter:         optional(&u.Twitter),
		Discord:         optional(&u.Discord),
		WebsiteURL:      optional(&u.WebsiteURL),
		Organization:    optional(&u.Organization),
		JobTitle:        optional(&u.JobTitle),
		Pronouns:        optional(&u.Pronouns),
		Bot:             &u.Bot,
		Skype:           optional(&u.Skype),
		WorkInformation: optional(&u.WorkInformation),
		Followers:       u.Followers,
		Following:       u.Following,
		LocalTime:       optional(&u.LocalTime),
		IsFollowed:      u.IsFollowed,
		Email:           optional(&u.Email),
	}
}
