package restclient

import (
	stdjson "encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeJob decodes body as the client does.
func decodeJob(t *testing.T, body string) *Job {
	t.Helper()
	var job *Job
	if err := decodeBody(strings.NewReader(body), &job); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return job
}

// TestDecodeMatchesEncodingJSON holds the decoder to encoding/json's reading
// of every edge GitLab can produce: the same body gives the same Job.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	bodies := map[string]string{
		"gitlab job":             jobJSON,
		"null into string":       `{"id":1,"name":null,"stage":null,"failure_reason":null}`,
		"null into bool":         `{"id":1,"tag":null,"allow_failure":null,"archived":null}`,
		"null into int":          `{"id":null,"pipeline":{"id":null,"iid":null,"project_id":null}}`,
		"null into time":         `{"id":1,"created_at":null}`,
		"null into slice":        `{"id":1,"tag_list":null,"artifacts":null,"commit":{"parent_ids":null,"trailers":null}}`,
		"null inside list":       `{"id":1,"tag_list":["a",null,"b"]}`,
		"invalid utf-8":          "{\"id\":1,\"commit\":{\"message\":\"fix \xff\xfe caf\xc3\"}}",
		"lone surrogate":         `{"id":1,"commit":{"message":"half \ud800 pair"}}`,
		"duplicate key":          `{"id":1,"name":"first","name":"second"}`,
		"duplicate object":       `{"id":1,"user":{"id":1,"name":"a"},"user":{"username":"b"}}`,
		"unknown members":        `{"id":1,"new_field":{"deep":[1,{"x":null}]},"commit":{"id":"abc","extra":true}}`,
		"utc millis":             `{"id":1,"created_at":"2015-12-24T15:51:21.802Z"}`,
		"offset":                 `{"id":1,"created_at":"2015-12-24T16:51:14.000+01:00"}`,
		"whitespace after value": jobJSON + " \n\t\r ",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var want *Job
			if err := stdjson.Unmarshal([]byte(body), &want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if got := decodeJob(t, body); !reflect.DeepEqual(got, want) {
				t.Errorf("decoded\n%+v\nencoding/json\n%+v", got, want)
			}
		})
	}
}

func TestDecodeSemantics(t *testing.T) {
	t.Run("null leaves non-pointer fields zero", func(t *testing.T) {
		job := decodeJob(t, `{"id":null,"name":null,"tag":null,"created_at":null,"tag_list":null}`)
		if job.ID != 0 || job.Name != "" || job.Tag || !job.CreatedAt.IsZero() || job.TagList != nil {
			t.Errorf("job = %+v", job)
		}
	})
	t.Run("invalid utf-8 becomes U+FFFD", func(t *testing.T) {
		job := decodeJob(t, "{\"commit\":{\"message\":\"a\xffb\",\"title\":\"c\\udc00d\"}}")
		if job.Commit.Message != "a\uFFFDb" || job.Commit.Title != "c\uFFFDd" {
			t.Errorf("message %q, title %q", job.Commit.Message, job.Commit.Title)
		}
	})
	t.Run("duplicate key: last wins", func(t *testing.T) {
		if job := decodeJob(t, `{"name":"first","name":"second"}`); job.Name != "second" {
			t.Errorf("name = %q", job.Name)
		}
	})
	t.Run("names match exactly", func(t *testing.T) {
		// GitLab writes snake_case; a differently cased member is someone else's.
		if job := decodeJob(t, `{"ID":5,"Name":"x","webURL":"y"}`); job.ID != 0 || job.Name != "" || job.WebURL != "" {
			t.Errorf("job = %+v", job)
		}
	})
	t.Run("gitlab time formats", func(t *testing.T) {
		job := decodeJob(t, `{"created_at":"2015-12-24T15:51:21.802Z","started_at":"2015-12-24T16:51:14.000+01:00"}`)
		if want := time.Date(2015, 12, 24, 15, 51, 21, 802e6, time.UTC); !job.CreatedAt.Equal(want) {
			t.Errorf("created_at = %v, want %v", job.CreatedAt, want)
		}
		if want := time.Date(2015, 12, 24, 15, 51, 14, 0, time.UTC); !job.StartedAt.Equal(want) {
			t.Errorf("started_at = %v, want %v", job.StartedAt, want)
		}
		if _, offset := job.StartedAt.Zone(); offset != 3600 {
			t.Errorf("started_at offset = %ds, want GitLab's +01:00", offset)
		}
	})
}

func TestDecodeOneValueOnly(t *testing.T) {
	bodies := map[string]string{
		"empty":            "",
		"whitespace":       " \n",
		"truncated":        jobJSON[:len(jobJSON)-1],
		"second value":     jobJSON + `{"id":8}`,
		"padding":          jobJSON + " x",
		"trailing comma":   jobJSON + ",",
		"unterminated key": `{"id":1,"na`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var job *Job
			if err := decodeBody(strings.NewReader(body), &job); err == nil {
				t.Errorf("decoded %q without error", body)
			}
		})
	}
}

// TestPipelineCoverage checks that Pipeline.UnmarshalJSON is honoured on the
// client's decode path, and that its inner decode keeps the same options.
func TestPipelineCoverage(t *testing.T) {
	tests := []struct {
		body string
		want *float64
	}{
		{`{"id":1,"coverage":"30.0"}`, ptr(30.0)},
		{`{"id":1,"coverage":30.5}`, ptr(30.5)},
		{`{"id":1,"coverage":null}`, nil},
		{`{"id":1,"coverage":""}`, nil},
		{`{"id":1}`, nil},
	}
	for _, tt := range tests {
		var got *Pipeline
		if err := decodeBody(strings.NewReader(tt.body), &got); err != nil {
			t.Errorf("%s: %v", tt.body, err)
			continue
		}
		if got.ID != 1 || !reflect.DeepEqual(got.Coverage, tt.want) {
			t.Errorf("%s: id %d, coverage %v", tt.body, got.ID, got.Coverage)
		}
	}
	var p *Pipeline
	body := "{\"id\":1,\"id\":2,\"yaml_errors\":\"bad \xff\",\"Status\":\"x\",\"coverage\":\"1\",\"new\":[]}"
	if err := decodeBody(strings.NewReader(body), &p); err != nil {
		t.Fatal(err)
	}
	if p.ID != 2 || *p.YamlErrors != "bad \uFFFD" || p.Status != "" || *p.Coverage != 1 {
		t.Errorf("pipeline = %+v", p)
	}
}

func ptr[T any](v T) *T { return &v }

// TestDecodeSharesRepeatedObjects: the objects a page's jobs embed are decoded
// once per distinct text and shared, and the page still reads as encoding/json
// reads it, repeated members merging without touching a shared value.
func TestDecodeSharesRepeatedObjects(t *testing.T) {
	const shared = `"user":{"id":7,"username":"a"},"commit":{"id":"c1","trailers":{"k":"v"}},` +
		`"pipeline":{"id":3},"runner":{"id":8},"runner_manager":{"id":9}`
	body := `[{"id":1,` + shared + `},{"id":2,` + shared + `},` +
		`{"id":3,"user":{"id":7, "username":"a"},"commit":{"id":"c1","trailers":{"k":"v"}},"commit":{"trailers":{"x":"y"}},"pipeline":null,"runner":null}]`
	var jobs []*Job
	if err := decodeBody(strings.NewReader(body), &jobs); err != nil {
		t.Fatal(err)
	}
	var want []*Job
	if err := stdjson.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(jobs, want) {
		t.Fatalf("decoded\n%+v\nencoding/json\n%+v", jobs, want)
	}
	a, b, c := jobs[0], jobs[1], jobs[2]
	if a.User != b.User || a.Commit != b.Commit || a.Pipeline != b.Pipeline || a.Runner != b.Runner || a.RunnerManager != b.RunnerManager {
		t.Error("byte-identical embedded objects were decoded apart")
	}
	if c.User == a.User {
		t.Error("a user spelled differently shares the first one's value")
	}
	if c.Commit == a.Commit || !reflect.DeepEqual(a.Commit.Trailers, map[string]string{"k": "v"}) {
		t.Errorf("merging a repeated member changed the shared commit: %+v", a.Commit)
	}
	if c.Pipeline != nil || c.Runner != nil {
		t.Errorf("null embedded objects decoded to %+v, %+v", c.Pipeline, c.Runner)
	}
}

// An error inside an embedded object names its place in the whole body.
func TestDecodeErrorsInEmbeddedObjectsAreLocated(t *testing.T) {
	for body, where := range map[string]string{
		`[{"id":1},{"id":2,"user":{"id":"x"}}]`:                                            `"/1/user/id"`,
		`[{"id":1,"commit":{"id":"a"}},{"id":2,"commit":{"id":"a"},"commit":{"title":7}}]`: `"/1/commit/title"`,
	} {
		var jobs []*Job
		err := decodeBody(strings.NewReader(body), &jobs)
		if err == nil || !strings.Contains(err.Error(), where) {
			t.Errorf("%s: error %v, want one within %s", body, err, where)
		}
	}
}
