package gitlabsim

import (
	"fmt"
	"net/http"
	"testing"
)

func TestAuthentication(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	tests := []struct {
		name   string
		path   string
		header [2]string
		status int
		body   string
	}{
		{"jobs need a token", "/api/v4/projects/2/jobs", [2]string{}, 401, `{"message":"401 Unauthorized"}`},
		{"bad token", "/api/v4/projects/2/pipelines", [2]string{"PRIVATE-TOKEN", "nope"}, 401, `{"message":"401 Unauthorized"}`},
		{"bearer", "/api/v4/projects/1/jobs", [2]string{"Authorization", "Bearer " + TokenDeveloper}, 200, ""},
		{"private token param", "/api/v4/projects/1/jobs?private_token=" + TokenGuest, [2]string{}, 200, ""},
		{"anonymous reads public pipelines", "/api/v4/projects/2/pipelines", [2]string{}, 200, ""},
		{"anonymous cannot see internal", "/api/v4/projects/1/pipelines", [2]string{}, 404, `{"message":"404 Project Not Found"}`},
		{"outsider reads internal", "/api/v4/projects/1/jobs", [2]string{"PRIVATE-TOKEN", TokenOutsider}, 200, ""},
		{"outsider cannot see private", "/api/v4/projects/4/jobs", [2]string{"PRIVATE-TOKEN", TokenOutsider}, 404, `{"message":"404 Project Not Found"}`},
		{"outsider cannot see private by path", "/api/v4/projects/acme%2Fsecret%2Fpayments", [2]string{"PRIVATE-TOKEN", TokenOutsider}, 404, `{"message":"404 Project Not Found"}`},
		{"guest reads private", "/api/v4/projects/4/jobs", [2]string{"PRIVATE-TOKEN", TokenGuest}, 200, ""},
		{"job token reads own project's jobs", "/api/v4/projects/1/jobs", [2]string{"JOB-TOKEN", TokenJob}, 200, ""},
		{"job token scope", "/api/v4/projects/2/jobs", [2]string{"JOB-TOKEN", TokenJob}, 404, `{"message":"404 Project Not Found"}`},
		{"job token not accepted on projects", "/api/v4/projects/1", [2]string{"JOB-TOKEN", TokenJob}, 404, `{"message":"404 Project Not Found"}`},
		{"job token job", "/api/v4/job", [2]string{"JOB-TOKEN", TokenJob}, 200, ""},
		{"job token param", "/api/v4/job?job_token=" + TokenJob, [2]string{}, 200, ""},
		{"job token as bearer", "/api/v4/job", [2]string{"Authorization", "Bearer " + TokenJob}, 200, ""},
		{"job token as bearer reads own project's jobs", "/api/v4/projects/1/jobs", [2]string{"Authorization", "Bearer " + TokenJob}, 200, ""},
		{"bad bearer on job route", "/api/v4/job", [2]string{"Authorization", "Bearer glcbt-nope"}, 401, `{"message":"401 Unauthorized"}`},
		{"job token as bearer not accepted on projects", "/api/v4/projects/1", [2]string{"Authorization", "Bearer " + TokenJob}, 401, `{"message":"401 Unauthorized"}`},
		{"bad job token", "/api/v4/job", [2]string{"JOB-TOKEN", "glcbt-nope"}, 401, `{"message":"401 Unauthorized"}`},
		{"personal token has no job", "/api/v4/job", [2]string{"PRIVATE-TOKEN", TokenDeveloper}, 404, `{"message":"404 Job Not Found"}`},
		{"current user needs a token", "/api/v4/user", [2]string{}, 401, `{"message":"401 Unauthorized"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.header[0] != "" {
				req.Header.Set(tt.header[0], tt.header[1])
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body := readAll(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.body != "" && body != tt.body {
				t.Errorf("body %s, want %s", body, tt.body)
			}
		})
	}
}

func TestJobTokenExpiresWithJob(t *testing.T) {
	_, srv := newTestServer(t, Options{Seed: 1})
	var j struct{ ID int64 }
	get(t, srv, "/api/v4/job", TokenJob).json(t, &j)
	if j.ID != JobRunning {
		t.Fatalf("job %d, want %d", j.ID, JobRunning)
	}
	do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/cancel", JobRunning), TokenMaintainer, "")
	do(t, srv, http.MethodPost, fmt.Sprintf("/api/v4/projects/1/jobs/%d/cancel?force=true", JobRunning), TokenMaintainer, "")
	if r := get(t, srv, "/api/v4/job", TokenJob); r.status != http.StatusUnauthorized {
		t.Fatalf("status %d after the job finished, want 401", r.status)
	}
}

func TestTokensListing(t *testing.T) {
	roles := map[string]bool{}
	for _, tok := range Tokens() {
		roles[tok.Role] = true
		if tok.Token == "" || tok.Username == "" || tok.UserID == 0 {
			t.Errorf("incomplete token %+v", tok)
		}
	}
	for _, role := range []string{"maintainer", "developer", "guest", "outsider", "job"} {
		if !roles[role] {
			t.Errorf("no %s token", role)
		}
	}
}
