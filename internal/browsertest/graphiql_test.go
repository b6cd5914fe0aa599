package browsertest

import "testing"

func TestOnLoopback(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:8080/graphiql/assets/x/graphiql.js", true},
		{"ws://127.0.0.1:8080/graphql", true},
		{"https://[::1]:8443/", true},
		{"http://localhost:8080/", true},
		{"http://127.8.9.10/", true},
		{"data:font/woff2;base64,d09G", true},
		{"https://esm.sh/graphiql", false},
		{"wss://example.com/graphql", false},
		{"http://10.0.0.1/", false},
		{"http://localhost.example.com/", false},
		{"blob:http://127.0.0.1:8080/5d2c", false},
		{"chrome-extension://abc/x.js", false},
		{"%zz", false},
	}
	for _, tt := range tests {
		if got := onLoopback(tt.url); got != tt.want {
			t.Errorf("onLoopback(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}
