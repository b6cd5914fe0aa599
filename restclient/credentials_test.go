package restclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCredentialsHeaders(t *testing.T) {
	tests := []struct {
		creds        Credentials
		header, want string
	}{
		{Credentials{Kind: PrivateToken, Token: "p1"}, "PRIVATE-TOKEN", "p1"},
		{Credentials{Kind: BearerToken, Token: "b1"}, "Authorization", "Bearer b1"},
		{Credentials{Kind: JobToken, Token: "j1"}, "JOB-TOKEN", "j1"},
	}
	for _, tt := range tests {
		var seen captured
		c, _ := newTestClient(t, recordOne(200, userJSON, &seen))
		if _, _, err := c.CurrentUser(WithCredentials(context.Background(), tt.creds)); err != nil {
			t.Fatal(err)
		}
		if got := seen.header.Get(tt.header); got != tt.want {
			t.Errorf("%v: %s = %q, want %q", tt.creds, tt.header, got, tt.want)
		}
		others := 0
		for _, h := range []string{"PRIVATE-TOKEN", "Authorization", "JOB-TOKEN"} {
			if seen.header.Get(h) != "" {
				others++
			}
		}
		if others != 1 {
			t.Errorf("%v: %d auth headers sent, want exactly one", tt.creds, others)
		}
	}
}

func TestFallbackOnlyWithoutCallerCredentials(t *testing.T) {
	var seen captured
	fallback := Credentials{Kind: PrivateToken, Token: "server-wide"}
	c, _ := newTestClient(t, recordOne(200, userJSON, &seen), func(cfg *Config) { cfg.Fallback = &fallback })

	if _, _, err := c.GetUser(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if seen.header.Get("PRIVATE-TOKEN") != "server-wide" {
		t.Errorf("fallback not used for a read without credentials")
	}
	if _, _, err := c.GetUser(WithCredentials(context.Background(), Credentials{Kind: BearerToken, Token: "mine"}), 1); err != nil {
		t.Fatal(err)
	}
	if seen.header.Get("PRIVATE-TOKEN") != "" || seen.header.Get("Authorization") != "Bearer mine" {
		t.Errorf("caller credentials not used alone: %v", seen.header)
	}

	plain, _ := newTestClient(t, recordOne(200, userJSON, &seen))
	if _, _, err := plain.GetUser(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if seen.header.Get("PRIVATE-TOKEN") != "" || seen.header.Get("Authorization") != "" {
		t.Errorf("anonymous call sent credentials: %v", seen.header)
	}
}

// TestFallbackNeverActs: the server-wide token reads for anonymous callers
// but never acts for them nor tells them who it is.
func TestFallbackNeverActs(t *testing.T) {
	calls := map[string]func(context.Context, *Client) error{
		"cancel": func(ctx context.Context, c *Client) error { _, _, err := c.CancelJob(ctx, "1", 7, false); return err },
		"retry":  func(ctx context.Context, c *Client) error { _, _, err := c.RetryJob(ctx, "1", 7); return err },
		"erase":  func(ctx context.Context, c *Client) error { _, _, err := c.EraseJob(ctx, "1", 7); return err },
		"play":   func(ctx context.Context, c *Client) error { _, _, err := c.PlayJob(ctx, "1", 7, nil); return err },
		"current user": func(ctx context.Context, c *Client) error {
			_, _, err := c.CurrentUser(ctx)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var seen captured
			fallback := Credentials{Kind: PrivateToken, Token: "server-wide"}
			body := jobJSON
			if name == "current user" {
				body = userJSON
			}
			c, counter := newTestClient(t, recordOne(200, body, &seen), func(cfg *Config) { cfg.Fallback = &fallback })
			if err := call(context.Background(), c); KindOf(err) != KindUnauthenticated {
				t.Errorf("without caller credentials: err = %v, want unauthenticated", err)
			}
			if n := counter.calls.Load(); n != 0 {
				t.Errorf("%d requests sent without caller credentials, want none", n)
			}
			if err := call(authed(), c); err != nil {
				t.Fatalf("with caller credentials: %v", err)
			}
			if got := seen.header.Get("PRIVATE-TOKEN"); got != testToken {
				t.Errorf("PRIVATE-TOKEN = %q, want the caller's", got)
			}
		})
	}
}

func TestFallbackIsCopied(t *testing.T) {
	var seen captured
	fallback := Credentials{Kind: PrivateToken, Token: "server-wide"}
	c, _ := newTestClient(t, recordOne(200, userJSON, &seen), func(cfg *Config) { cfg.Fallback = &fallback })
	fallback.Token = "bad\r\nchanged after New"
	if _, _, err := c.GetUser(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if got := seen.header.Get("PRIVATE-TOKEN"); got != "server-wide" {
		t.Errorf("PRIVATE-TOKEN = %q, want the value New validated", got)
	}
}

func TestCredentialsFromRequest(t *testing.T) {
	tests := []struct {
		headers map[string]string
		want    Credentials
		ok      bool
		err     error
	}{
		{map[string]string{"PRIVATE-TOKEN": "p"}, Credentials{PrivateToken, "p"}, true, nil},
		{map[string]string{"Authorization": "Bearer b"}, Credentials{BearerToken, "b"}, true, nil},
		{map[string]string{"Authorization": "bearer  b "}, Credentials{BearerToken, "b"}, true, nil},
		{map[string]string{"JOB-TOKEN": "j"}, Credentials{JobToken, "j"}, true, nil},
		{map[string]string{"PRIVATE-TOKEN": "p", "JOB-TOKEN": "j"}, Credentials{PrivateToken, "p"}, true, nil},
		{map[string]string{"PRIVATE-TOKEN": "p", "Authorization": "Basic dXNlcjpwYXNz"}, Credentials{PrivateToken, "p"}, true, nil},
		{map[string]string{}, Credentials{}, false, nil},
		{map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, Credentials{}, false, ErrUnusableCredentials},
		{map[string]string{"Authorization": "Token t"}, Credentials{}, false, ErrUnusableCredentials},
		{map[string]string{"Authorization": "Bearer "}, Credentials{}, false, ErrUnusableCredentials},
		{map[string]string{"Authorization": "Bearer a b"}, Credentials{}, false, ErrUnusableCredentials},
		{map[string]string{"Authorization": ""}, Credentials{}, false, ErrUnusableCredentials},
		{map[string]string{"PRIVATE-TOKEN": ""}, Credentials{}, false, ErrUnusableCredentials},
		{map[string]string{"PRIVATE-TOKEN": " ", "Authorization": "Bearer b"}, Credentials{}, false, ErrUnusableCredentials},
		{map[string]string{"JOB-TOKEN": ""}, Credentials{}, false, ErrUnusableCredentials},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		for k, v := range tt.headers {
			r.Header.Set(k, v)
		}
		got, ok, err := CredentialsFromRequest(r)
		if got != tt.want || ok != tt.ok || !errors.Is(err, tt.err) {
			t.Errorf("%v: got %v %q, %v, %v", tt.headers, got.Kind, got.Token, ok, err)
		}
	}
}

func TestCredentialsNeverPrintToken(t *testing.T) {
	c := Credentials{Kind: BearerToken, Token: testToken}
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprint(&c)} {
		if strings.Contains(s, testToken) {
			t.Errorf("%q prints the token", s)
		}
	}
	if c.String() != "Bearer(redacted)" || (Credentials{Kind: PrivateToken}).String() != "PRIVATE-TOKEN(redacted)" {
		t.Errorf("String() = %q", c.String())
	}
}

func TestFingerprint(t *testing.T) {
	a := Credentials{Kind: PrivateToken, Token: "t"}
	b := Credentials{Kind: BearerToken, Token: "t"}
	if a.Fingerprint() == b.Fingerprint() || a.Fingerprint() != (Credentials{PrivateToken, "t"}).Fingerprint() || len(a.Fingerprint()) != 64 {
		t.Errorf("fingerprints %s %s", a.Fingerprint(), b.Fingerprint())
	}
	if secret := (Credentials{Kind: PrivateToken, Token: testToken}).Fingerprint(); strings.Contains(secret, testToken) {
		t.Error("fingerprint contains the token")
	}
}

func TestNewValidatesConfig(t *testing.T) {
	bad := []Config{
		{BaseURL: ""},
		{BaseURL: "gitlab.example.com"},
		{BaseURL: "ftp://gitlab.example.com"},
		{BaseURL: "https://user:pw@gitlab.example.com"},
		{BaseURL: "https://gitlab.example.com/?x=1"},
		{BaseURL: "https://gitlab.example.com", Timeout: -1},
		{BaseURL: "https://gitlab.example.com", Fallback: &Credentials{Kind: 9, Token: "x"}},
	}
	for _, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("error %q shows the password", err)
		}
	}
}

func TestBaseURLWithPathPrefix(t *testing.T) {
	var seen captured
	c, _ := newTestClient(t, recordOne(200, userJSON, &seen))
	tests := map[string]string{
		"/gitlab/":        "/gitlab/api/v4/users/5",
		"/gitlab/api/v4":  "/gitlab/api/v4/users/5",
		"/api/v4/":        "/api/v4/users/5",
		"":                "/api/v4/users/5",
		"/api/v4/api/v4/": "/api/v4/api/v4/users/5",
	}
	for root, want := range tests {
		sub, err := New(Config{BaseURL: "http://" + c.base.Host + root, RetryBaseWait: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := sub.GetUser(authed(), 5); err != nil {
			t.Fatal(err)
		}
		if seen.escapedPath != want {
			t.Errorf("BaseURL root %q: path %s, want %s", root, seen.escapedPath, want)
		}
	}
}

// TestCookiesNeverCrossCallers: a session cookie GitLab sets for one caller
// must not ride along on another caller's call.
func TestCookiesNeverCrossCallers(t *testing.T) {
	var lastCookie atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lastCookie.Store(r.Header.Get("Cookie"))
		http.SetCookie(w, &http.Cookie{Name: "_gitlab_session", Value: "alice-session", Path: "/"})
		_, _ = w.Write([]byte(userJSON))
	}))
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	given := &http.Client{Jar: jar}
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: given})
	if err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []context.Context{authed(), context.Background()} {
		if _, _, err := c.GetUser(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if got := lastCookie.Load(); got != "" {
			t.Errorf("call sent Cookie %q", got)
		}
	}
	if given.Jar != jar {
		t.Error("New changed the caller's own http.Client")
	}
}

func TestRedirectsStayOnGitLab(t *testing.T) {
	var leaked captured
	other, _ := newTestClient(t, recordOne(200, userJSON, &leaked))
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+other.base.Host+"/api/v4/user", http.StatusFound)
	}))
	_, _, err := c.CurrentUser(authed())
	var e *Error
	if !asError(err, &e) || e.Kind != KindUpstream || e.StatusCode != http.StatusFound || e.Message != "redirect refused" {
		t.Errorf("err = %v, want upstream error \"redirect refused\" for a cross-host redirect", err)
	}
	if leaked.header != nil {
		t.Errorf("followed a redirect to another host with headers %v", leaked.header)
	}
}
