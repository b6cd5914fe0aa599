package live

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"jobgraph/gitlabsim"
	"jobgraph/restclient"
)

func TestCutEndsAtALineOrACharacter(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"one\ntwo", 4},
		{"one\ntwo\n", 8},
		{"no newline", 10},
		{"caf\xc3\xa9", 5},    // a whole é at the end stays
		{"caf\xc3", 3},        // half an é waits for the next chunk
		{"\xe2\x82", 2},       // nothing but half a character: all of it, or nothing would move
		{"ab\x80\x80\x80", 5}, // bytes that are no UTF-8 go as they are
	} {
		if got := cut([]byte(tc.in)); got != tc.want {
			t.Errorf("cut(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// A finished job is polled once, sent once and completes; a subscription
// past the Hub's bound is refused; the poller stops with its last subscriber.
func TestSubscriptionsShareAPollerWithinTheBound(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	upstream := httptest.NewServer(sim)
	defer func() { upstream.Close(); sim.Close() }()
	client, err := restclient.New(restclient.Config{BaseURL: upstream.URL})
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(client, Config{MaxSubscriptions: 2, FastInterval: 10 * time.Millisecond})
	defer hub.Close()
	creds := &restclient.Credentials{Kind: restclient.PrivateToken, Token: gitlabsim.TokenMaintainer}

	finished := Key{Caller: "token:a", Kind: KindJob, Project: gitlabsim.ProjectDemo, ID: gitlabsim.JobFailed}
	s, err := hub.Subscribe(finished, creds, 0)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []restclient.JobStatus
	for u := range s.Updates() {
		statuses = append(statuses, u.Job.Status)
	}
	s.Close()
	if len(statuses) != 1 || statuses[0] != restclient.StatusFailed || s.Err() != nil {
		t.Errorf("a failed job's subscription sent %v and ended with %v, want [failed] and nil", statuses, s.Err())
	}

	pending := Key{Caller: "token:a", Kind: KindJob, Project: gitlabsim.ProjectDemo, ID: gitlabsim.JobPending}
	first, err := hub.Subscribe(pending, creds, 0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := hub.Subscribe(pending, creds, 0)
	if err != nil {
		t.Fatal(err)
	}
	var limit *LimitError
	if _, err := hub.Subscribe(pending, creds, 0); !errors.As(err, &limit) || limit.Limit != 2 {
		t.Errorf("a third subscription got %v, want a LimitError of 2", err)
	}
	if st := hub.Stats(); st.Pollers != 1 || st.Subscriptions != 2 {
		t.Errorf("two subscribers of one job run %d pollers for %d subscriptions, want 1 for 2", st.Pollers, st.Subscriptions)
	}
	<-first.Updates()
	first.Close()
	second.Close()
	if st := hub.Stats(); st.Pollers != 0 || st.Subscriptions != 0 {
		t.Errorf("after the last subscriber left, %d pollers and %d subscriptions remain", st.Pollers, st.Subscriptions)
	}
}

// A poller rides out GitLab's 429s and 503s, waiting as GitLab asks, and
// its subscription ends with the failure once GitLab keeps failing past
// GiveUpAfter.
func TestPollersRetryAndGiveUp(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	upstream := httptest.NewServer(sim)
	defer func() { upstream.Close(); sim.Close() }()
	client, err := restclient.New(restclient.Config{BaseURL: upstream.URL, MaxRetries: -1, BreakerFailures: -1})
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(client, Config{FastInterval: 10 * time.Millisecond, GiveUpAfter: 10 * time.Second})
	defer hub.Close()
	creds := &restclient.Credentials{Kind: restclient.PrivateToken, Token: gitlabsim.TokenMaintainer}
	const route = "GET /api/v4/projects/:id/jobs/:job_id"

	sim.SetFaults(gitlabsim.Faults{FailNext: []gitlabsim.FailNext{
		{Route: route, Count: 1, Kind: gitlabsim.FaultRateLimit},
		{Route: route, Count: 2, Kind: gitlabsim.FaultError, Status: 503},
	}})
	recovered, err := hub.Subscribe(Key{Caller: "token:a", Kind: KindJob, Project: gitlabsim.ProjectDemo, ID: gitlabsim.JobFailed}, creds, 0)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	var got []restclient.JobStatus
	for u := range recovered.Updates() {
		got = append(got, u.Job.Status)
	}
	if len(got) != 1 || got[0] != restclient.StatusFailed || recovered.Err() != nil {
		t.Errorf("after a 429 and two 503s: %v, %v; want the failed job, then the end", got, recovered.Err())
	}
	if waited := time.Since(began); waited < time.Second {
		t.Errorf("the poller came back after %v, sooner than the second GitLab's Retry-After asked", waited)
	}
	if n := sim.Stats()[route]; n != 4 {
		t.Errorf("%d job reads, want 4: the 429, the two 503s and the answer", n)
	}

	sim.SetFaults(gitlabsim.Faults{Routes: []string{route}, ErrorRate: 1, ErrorStatus: 503})
	impatient := NewHub(client, Config{FastInterval: 10 * time.Millisecond, GiveUpAfter: 300 * time.Millisecond})
	defer impatient.Close()
	failing, err := impatient.Subscribe(Key{Caller: "token:a", Kind: KindJob, Project: gitlabsim.ProjectDemo, ID: gitlabsim.JobRunning}, creds, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range failing.Updates() {
		t.Error("an update came from a GitLab that only fails")
	}
	if restclient.KindOf(failing.Err()) != restclient.KindUpstream {
		t.Errorf("the subscription ended with %v, want GitLab's 503", failing.Err())
	}
}
