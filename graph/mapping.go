package graph

import (
	"strconv"
	"strings"

	"jobgraph/graph/model"
	"jobgraph/restclient"
)

// This file maps GitLab's REST entities onto the GraphQL models, field for
// field. GitLab's empty strings for absent optional text become nulls.

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func size(n int64) *int {
	v := int(n)
	return &v
}

func jobStatus(s restclient.JobStatus) model.JobStatus {
	return model.JobStatus(strings.ToUpper(string(s)))
}

func pipelineStatus(s string) model.PipelineStatus {
	return model.PipelineStatus(strings.ToUpper(s))
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
		DefaultBranch:     optional(p.DefaultBranch),
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
	if v := model.ProjectVisibility(strings.ToUpper(p.Visibility)); v.IsValid() {
		m.Visibility = &v
	}
	if ns := p.Namespace; ns != nil {
		m.Namespace = &model.Namespace{
			DatabaseID: int(ns.ID), Name: ns.Name, Path: ns.Path, Kind: ns.Kind,
			FullPath: ns.FullPath, WebURL: optional(ns.WebURL),
		}
	}
	return m
}

// jobModel maps a job of project (used when the job's embedded pipeline does
// not name its project).
func jobModel(project int64, j *restclient.Job) *model.Job {
	if j.Pipeline != nil && j.Pipeline.ProjectID != 0 {
		project = j.Pipeline.ProjectID
	}
	m := &model.Job{
		DatabaseID:        j.ID,
		ProjectID:         project,
		Name:              j.Name,
		Stage:             j.Stage,
		RawStatus:         jobStatus(j.Status),
		Ref:               j.Ref,
		Tag:               j.Tag,
		Coverage:          j.Coverage,
		AllowFailure:      j.AllowFailure,
		CreatedAt:         j.CreatedAt,
		StartedAt:         j.StartedAt,
		FinishedAt:        j.FinishedAt,
		ErasedAt:          j.ErasedAt,
		Duration:          j.Duration,
		QueuedDuration:    j.QueuedDuration,
		FailureReason:     optional(j.FailureReason),
		WebURL:            j.WebURL,
		TagList:           j.TagList,
		Archived:          j.Archived,
		ArtifactsExpireAt: j.ArtifactsExpireAt,
		Artifacts:         make([]*model.JobArtifact, len(j.Artifacts)),
		User:              userModel(j.User),
		Commit:            commitModel(project, j.Commit),
		Pipeline:          pipelineInfoModel(j.Pipeline),
	}
	if m.TagList == nil {
		m.TagList = []string{}
	}
	for i, a := range j.Artifacts {
		m.Artifacts[i] = &model.JobArtifact{
			FileType: a.FileType, Size: size(a.Size), Filename: a.Filename, FileFormat: optional(a.FileFormat),
		}
	}
	if f := j.ArtifactsFile; f != nil {
		m.ArtifactsFile = &model.ArtifactsFile{Filename: f.Filename, Size: size(f.Size)}
	}
	if r := j.Runner; r != nil {
		m.Runner = &model.Runner{
			DatabaseID: int(r.ID), Description: optional(r.Description), Name: r.Name,
			RunnerType: optional(r.RunnerType), IsShared: r.IsShared, Active: r.Active,
			Paused: r.Paused, Online: r.Online, Status: optional(r.Status),
		}
	}
	if rm := j.RunnerManager; rm != nil {
		m.RunnerManager = &model.RunnerManager{
			DatabaseID: int(rm.ID), SystemID: optional(rm.SystemID), Version: optional(rm.Version),
			Revision: optional(rm.Revision), Platform: optional(rm.Platform),
			Architecture: optional(rm.Architecture), CreatedAt: rm.CreatedAt,
			ContactedAt: rm.ContactedAt, IPAddress: optional(rm.IPAddress), Status: optional(rm.Status),
		}
	}
	return m
}

func bridgeModel(project, pipeline int64, b *restclient.Bridge) *model.Bridge {
	if b.Pipeline != nil && b.Pipeline.ProjectID != 0 {
		project, pipeline = b.Pipeline.ProjectID, b.Pipeline.ID
	}
	return &model.Bridge{
		DatabaseID:         b.ID,
		ProjectID:          project,
		PipelineID:         pipeline,
		Name:               b.Name,
		Stage:              b.Stage,
		RawStatus:          jobStatus(b.Status),
		Ref:                b.Ref,
		Tag:                b.Tag,
		Coverage:           b.Coverage,
		AllowFailure:       b.AllowFailure,
		CreatedAt:          b.CreatedAt,
		StartedAt:          b.StartedAt,
		FinishedAt:         b.FinishedAt,
		ErasedAt:           b.ErasedAt,
		Duration:           b.Duration,
		QueuedDuration:     b.QueuedDuration,
		FailureReason:      optional(b.FailureReason),
		WebURL:             b.WebURL,
		User:               userModel(b.User),
		Commit:             commitModel(project, b.Commit),
		Pipeline:           pipelineInfoModel(b.Pipeline),
		DownstreamPipeline: pipelineInfoModel(b.DownstreamPipeline),
	}
}

func pipelineInfoModel(p *restclient.PipelineInfo) *model.Pipeline {
	if p == nil {
		return nil
	}
	return &model.Pipeline{
		DatabaseID: p.ID,
		Iid:        p.IID,
		ProjectID:  p.ProjectID,
		Sha:        p.SHA,
		Ref:        p.Ref,
		RawStatus:  pipelineStatus(p.Status),
		Source:     optional(p.Source),
		CreatedAt:  p.CreatedAt,
		UpdatedAt:  p.UpdatedAt,
		WebURL:     p.WebURL,
	}
}

func pipelineModel(p *restclient.Pipeline) *model.Pipeline {
	m := pipelineInfoModel(&restclient.PipelineInfo{
		ID: p.ID, IID: p.IID, ProjectID: p.ProjectID, SHA: p.SHA, Ref: p.Ref, Status: p.Status,
		Source: p.Source, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, WebURL: p.WebURL,
	})
	m.Detail = pipelineDetail(p)
	return m
}

func pipelineDetail(p *restclient.Pipeline) *model.PipelineDetail {
	d := &model.PipelineDetail{
		BeforeSha:      optional(p.BeforeSHA),
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
			Icon: optional(s.Icon), Text: optional(s.Text), Label: optional(s.Label),
			Group: optional(s.Group), Tooltip: optional(s.Tooltip), HasDetails: s.HasDetails,
			DetailsPath: optional(s.DetailsPath), Favicon: optional(s.Favicon),
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
		AuthorName:     optional(c.AuthorName),
		AuthorEmail:    optional(c.AuthorEmail),
		AuthoredDate:   c.AuthoredDate,
		CommitterName:  optional(c.CommitterName),
		CommitterEmail: optional(c.CommitterEmail),
		CommittedDate:  c.CommittedDate,
		CreatedAt:      c.CreatedAt,
		ParentIds:      c.ParentIDs,
		WebURL:         c.WebURL,
	}
	if m.ParentIds == nil {
		m.ParentIds = []string{}
	}
	return m
}

// commitDetail maps what only the single-commit response carries.
func commitDetail(c *restclient.Commit) *model.CommitDetail {
	d := &model.CommitDetail{Status: c.Status, LastPipeline: pipelineInfoModel(c.LastPipeline)}
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
		DatabaseID:   u.ID,
		Username:     u.Username,
		Name:         u.Name,
		State:        u.State,
		Locked:       &u.Locked,
		AvatarURL:    optional(u.AvatarURL),
		WebURL:       u.WebURL,
		CreatedAt:    u.CreatedAt,
		Bio:          optional(u.Bio),
		Location:     optional(u.Location),
		PublicEmail:  optional(u.PublicEmail),
		Linkedin:     optional(u.Linkedin),
		Twitter:      optional(u.Twitter),
		Discord:      optional(u.Discord),
		WebsiteURL:   optional(u.WebsiteURL),
		Organization: optional(u.Organization),
		JobTitle:     optional(u.JobTitle),
		Pronouns:     optional(u.Pronouns),
		Bot:          &u.Bot,
	}
}
