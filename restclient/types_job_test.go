package restclient

import (
	"net/http"
	"testing"
)

// TestJobStatusValid holds Valid to the scope enum of GitLab's jobs
// endpoints, all thirteen values.
func TestJobStatusValid(t *testing.T) {
	gitlab := []string{"created", "waiting_for_resource", "preparing", "waiting_for_callback", "pending",
		"running", "success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled"}
	for _, s := range gitlab {
		if !JobStatus(s).Valid() {
			t.Errorf("%q is a GitLab job status but not Valid", s)
		}
	}
	for _, s := range []string{"", "bogus", "Pending", "waiting-for-callback", "waiting_for_callback "} {
		if JobStatus(s).Valid() {
			t.Errorf("%q is Valid", s)
		}
	}
}

func TestWaitingForCallbackScope(t *testing.T) {
	var query string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		_, _ = w.Write([]byte(`[{"id":7,"status":"waiting_for_callback"}]`))
	}))
	jobs, _, err := c.ListProjectJobs(authed(), "1", &ListJobsOptions{Scope: []JobStatus{StatusWaitingForCallback}})
	if err != nil {
		t.Fatal(err)
	}
	if query != "scope%5B%5D=waiting_for_callback" {
		t.Errorf("query = %q", query)
	}
	if len(jobs) != 1 || jobs[0].Status != StatusWaitingForCallback {
		t.Errorf("jobs = %+v", jobs)
	}
}
