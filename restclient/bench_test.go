package restclient

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// jobsPage100 is a page of 100 jobs as GitLab sends it, each with an
// embedded user, commit, pipeline, artifacts and runner.
func jobsPage100(b *testing.B) []byte {
	const runner = `{"id":8,"description":"shared-1","ip_address":null,"active":true,"paused":false,"is_shared":true,"runner_type":"instance_type","name":"r","online":true,"status":"online"}`
	const user = `{"id":1,"username":"root","name":"Administrator","state":"active","locked":false,"avatar_url":"http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=80&d=identicon","web_url":"http://gitlab.dev/root","created_at":"2015-12-21T13:14:24.077Z","bio":"","location":null,"public_email":"","skype":"","linkedin":"","twitter":"","discord":"","website_url":"","organization":"","job_title":"","pronouns":null,"bot":false,"work_information":null,"followers":0,"following":0,"local_time":null}`
	job := strings.Replace(jobJSON, `"runner":null`, `"runner":`+runner, 1)
	job = strings.Replace(job, `{"id":1,"username":"root","name":"Administrator","state":"active","created_at":"2015-12-21T13:14:24.077Z","bio":null}`, user, 1)
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := range 100 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(job)
	}
	buf.WriteByte(']')
	var check []*Job
	if err := json.Unmarshal(buf.Bytes(), &check); err != nil || len(check) != 100 || check[99].Runner == nil || check[0].User.WebURL == "" {
		b.Fatalf("fixture: %v", err)
	}
	return buf.Bytes()
}

// BenchmarkDecodeJobsPage100 measures the client's decode path: one
// streaming json v2 pass straight from the body.
func BenchmarkDecodeJobsPage100(b *testing.B) {
	page := jobsPage100(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		var jobs []*Job
		err := decodeBody(bytes.NewReader(page), &jobs)
		if err != nil || len(jobs) != 100 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeJobsPage100ReadAll is the baseline the client's decode is
// compared with: the body read whole, then unmarshalled with encoding/json,
// as client-go does.
func BenchmarkDecodeJobsPage100ReadAll(b *testing.B) {
	page := jobsPage100(b)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		raw, err := io.ReadAll(bytes.NewReader(page))
		if err != nil {
			b.Fatal(err)
		}
		var jobs []*Job
		if err := json.Unmarshal(raw, &jobs); err != nil || len(jobs) != 100 {
			b.Fatal(err)
		}
	}
}
