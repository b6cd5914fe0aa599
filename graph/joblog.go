package graph

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"jobgraph/graph/joblog"
	"jobgraph/graph/model"
	"jobgraph/restclient"
)

// Bounds of the log windows one log field reads: each window is held in
// memory while the log streams past, so their sum bounds what a query costs.
const (
	maxLogWindowBytes = 1 << 20
	maxLogBytesRead   = 4 << 20
	maxTailLines      = 10000
)

// jobLog reads a job's log once for every field selected below `log`: the
// tails and ranges with their arguments, the sections and the size. Only a
// size costs no read of the log, which GitLab's Content-Length gives.
func (r *Resolver) jobLog(ctx context.Context, job *model.Job) (*model.JobLog, error) {
	plan, wantSize, err := logPlan(ctx)
	if err != nil {
		return nil, err
	}
	out := &model.JobLog{Sections: []*model.LogSection{}, Tails: map[model.TailArgs]*model.LogText{}, Ranges: map[model.RangeArgs]*model.LogText{}}
	if len(plan.Tails) == 0 && len(plan.Ranges) == 0 && !plan.Sections && !wantSize {
		return out, nil
	}
	stream, resp, err := r.Client.GetJobLog(ctx, projectKey(job.ProjectID), job.DatabaseID)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	if resp.ContentLength >= 0 {
		out.SizeBytes = &resp.ContentLength
	}
	if len(plan.Tails) == 0 && len(plan.Ranges) == 0 && !plan.Sections {
		return out, nil
	}
	read, err := joblog.Read(stream, plan)
	if err != nil {
		return nil, err
	}
	if out.SizeBytes == nil && read.Size >= 0 {
		out.SizeBytes = &read.Size
	}
	for t, w := range read.Tails {
		out.Tails[model.TailArgs{Lines: t.Lines, MaxBytes: t.MaxBytes}] = logText(w)
	}
	for rg, w := range read.Ranges {
		out.Ranges[model.RangeArgs{FromByte: rg.From, MaxBytes: rg.MaxBytes}] = logText(w)
	}
	for _, s := range read.Sections {
		out.Sections = append(out.Sections, logSection(s))
	}
	return out, nil
}

// logPlan collects what the fields below `log` ask of the log, checking their
// arguments: a tail or range too large fails the log field before any call.
func logPlan(ctx context.Context) (plan joblog.Plan, wantSize bool, err error) {
	vars := graphql.GetOperationContext(ctx).Variables
	total := 0
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		args := f.ArgumentMap(vars)
		switch f.Name {
		case "sizeBytes":
			wantSize = true
		case "sections":
			plan.Sections = true
		case "tail":
			t := joblog.Tail{Lines: intArg(args, "lines"), MaxBytes: intArg(args, "maxBytes")}
			if t.Lines < 1 || t.Lines > maxTailLines {
				return plan, false, badInput("tail lines must be 1 to %d, got %d", maxTailLines, t.Lines)
			}
			if err := checkWindowBytes(f.Name, t.MaxBytes); err != nil {
				return plan, false, err
			}
			plan.Tails = append(plan.Tails, t)
			total += t.MaxBytes
		case "range":
			rg := joblog.Range{From: int64(intArg(args, "fromByte")), MaxBytes: intArg(args, "maxBytes")}
			if rg.From < 0 {
				return plan, false, badInput("range fromByte must not be negative, got %d", rg.From)
			}
			if err := checkWindowBytes(f.Name, rg.MaxBytes); err != nil {
				return plan, false, err
			}
			plan.Ranges = append(plan.Ranges, rg)
			total += rg.MaxBytes
		}
	}
	if total > maxLogBytesRead {
		return plan, false, badInput("the windows of one log ask for %d bytes; at most %d", total, maxLogBytesRead)
	}
	return plan, wantSize, nil
}

func checkWindowBytes(field string, n int) error {
	if n < 1 || n > maxLogWindowBytes {
		return badInput("%s maxBytes must be 1 to %d, got %d", field, maxLogWindowBytes, n)
	}
	return nil
}

// intArg reads an Int argument as gqlparser hands it over: int64 from a
// literal or a default, json.Number from a variable.
func intArg(args map[string]any, name string) int {
	switch v := args[name].(type) {
	case int64:
		return int(v)
	case int:
		return v
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return 0
}

func logText(w joblog.Window) *model.LogText {
	r := joblog.Render(w.Raw)
	return &model.LogText{
		Text: r.Text, PlainText: r.Plain, HTML: r.HTML,
		FromByte: int(w.From), ToByte: int(w.To), Truncated: w.Truncated,
	}
}

func logSection(s joblog.Section) *model.LogSection {
	out := &model.LogSection{Name: s.Name, Header: optional(&s.Header), StartedAt: &s.StartedAt, StartLine: s.StartLine, Collapsed: s.Collapsed}
	if d, ok := s.Duration(); ok {
		seconds := d.Seconds()
		end := s.EndLine
		out.DurationSeconds, out.EndLine = &seconds, &end
	}
	return out
}

// currentJob is the job of the caller's CI job token; other callers have none.
func (r *Resolver) currentJob(ctx context.Context) (*model.Job, error) {
	if creds, ok := restclient.CredentialsFrom(ctx); !ok || creds.Kind != restclient.JobToken {
		return nil, nil
	}
	j, _, err := r.Client.GetJobTokenJob(ctx)
	if err != nil {
		return nil, err
	}
	if j.Pipeline == nil {
		return nil, fmt.Errorf("GitLab's job %d names no pipeline, so no project", j.ID)
	}
	return jobModel(j.Pipeline.ProjectID, j), nil
}
