package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"jobgraph/gitlabsim"
	"jobgraph/graph"
	"jobgraph/graph/globalid"
	"jobgraph/graph/live"
	"jobgraph/restclient"
)

// liveGateway serves the gateway with subscriptions over a gitlabsim whose
// jobs do not move, so a subscription stays open until it is ended.
func liveGateway(t *testing.T, lc graph.LiveConfig) (*httptest.Server, *live.Hub) {
	t.Helper()
	sim := gitlabsim.New(gitlabsim.Options{Seed: 1})
	upstream := httptest.NewServer(sim)
	client, err := restclient.New(restclient.Config{BaseURL: upstream.URL})
	if err != nil {
		t.Fatal(err)
	}
	lc.Hub = live.NewHub(client, live.Config{FastInterval: 50 * time.Millisecond, SlowInterval: 100 * time.Millisecond})
	gateway := httptest.NewServer(graph.NewHandler(client, graph.HandlerConfig{Live: lc}))
	t.Cleanup(func() {
		lc.Hub.Close()
		gateway.Close()
		upstream.Close()
		sim.Close()
	})
	return gateway, lc.Hub
}

// message is one graphql-transport-ws message.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func payload(v any) json.RawMessage {
	raw, _ := json.Marshal(v)
	return raw
}

// dial opens a graphql-transport-ws connection as a page of origin would,
// and completes its handshake with the maintainer's token.
func dial(t *testing.T, ctx context.Context, gateway, origin string) (*websocket.Conn, error) {
	t.Helper()
	header := http.Header{}
	if origin != "" {
		header.Set("Origin", origin)
	}
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(gateway, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header,
	})
	if err != nil {
		if resp != nil {
			return nil, errors.Join(err, errors.New(resp.Status))
		}
		return nil, err
	}
	if err := wsjson.Write(ctx, conn, message{Type: "connection_init", Payload: payload(map[string]any{"Authorization": "Bearer " + gitlabsim.TokenMaintainer})}); err != nil {
		t.Fatal(err)
	}
	var ack message
	if err := wsjson.Read(ctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("handshake: %+v, %v", ack, err)
	}
	return conn, nil
}

func subscribe(t *testing.T, ctx context.Context, conn *websocket.Conn, id string) {
	t.Helper()
	job := globalid.Job(gitlabsim.ProjectDemo, gitlabsim.JobRunning).String()
	err := wsjson.Write(ctx, conn, message{ID: id, Type: "subscribe", Payload: payload(map[string]any{
		"query": `subscription($id: ID!) { jobUpdated(id: $id) { status } }`, "variables": map[string]any{"id": job},
	})})
	if err != nil {
		t.Fatal(err)
	}
}

// next reads until a message for id arrives.
func next(t *testing.T, ctx context.Context, conn *websocket.Conn, id string) message {
	t.Helper()
	for {
		var m message
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			t.Fatalf("reading subscription %s: %v", id, err)
		}
		if m.ID == id {
			return m
		}
	}
}

// TestWebSocketsChecksTheOrigin lets the gateway's own pages and the
// allowed origins open a WebSocket, and no other page: a token in a page's
// connection_init must not be usable from any site.
func TestWebSocketChecksTheOrigin(t *testing.T) {
	gateway, _ := liveGateway(t, graph.LiveConfig{AllowedOrigins: []string{"ci.example.com"}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, origin := range []string{"", gateway.URL, "https://ci.example.com"} {
		conn, err := dial(t, ctx, gateway.URL, origin)
		if err != nil {
			t.Errorf("origin %q was refused: %v", origin, err)
			continue
		}
		conn.CloseNow()
	}
	if conn, err := dial(t, ctx, gateway.URL, "https://evil.example.net"); err == nil {
		conn.CloseNow()
		t.Error("another site's page opened a WebSocket")
	}
}

// TestSubscriptionsPerConnectionAreBounded refuses a connection's
// subscriptions past its bound with SUBSCRIPTION_LIMIT_EXCEEDED, while its
// others go on.
func TestSubscriptionsPerConnectionAreBounded(t *testing.T) {
	gateway, _ := liveGateway(t, graph.LiveConfig{MaxSubscriptionsPerConnection: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := dial(t, ctx, gateway.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	for _, id := range []string{"1", "2"} {
		subscribe(t, ctx, conn, id)
		if m := next(t, ctx, conn, id); m.Type != "next" {
			t.Fatalf("subscription %s: %+v", id, m)
		}
	}
	subscribe(t, ctx, conn, "3")
	if m := next(t, ctx, conn, "3"); !strings.Contains(string(m.Payload), "SUBSCRIPTION_LIMIT_EXCEEDED") {
		t.Errorf("the third subscription got %s %s, want SUBSCRIPTION_LIMIT_EXCEEDED", m.Type, m.Payload)
	}
}

// TestShutdownClosesWebSocketsGoingAway closes each WebSocket with 1001
// when the gateway shuts down, so graphql-ws reconnects to another replica.
func TestShutdownClosesWebSocketsGoingAway(t *testing.T) {
	gateway, hub := liveGateway(t, graph.LiveConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := dial(t, ctx, gateway.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	subscribe(t, ctx, conn, "1")
	if m := next(t, ctx, conn, "1"); m.Type != "next" {
		t.Fatalf("subscription: %+v", m)
	}
	hub.Close()
	for {
		var m message
		err := wsjson.Read(ctx, conn, &m)
		if err == nil {
			continue
		}
		if status := websocket.CloseStatus(err); status != websocket.StatusGoingAway {
			t.Fatalf("closed with %v (%v), want 1001 going away", status, err)
		}
		return
	}
}

// TestUnusableInitCredentialsCloseTheConnection refuses a connection whose
// connection_init carries credentials jobgraph cannot use, as a plain
// request is refused, rather than serve it with the server-wide token:
// gqlgen closes it unacknowledged (with 1000, where the protocol recommends
// 4403).
func TestUnusableInitCredentialsCloseTheConnection(t *testing.T) {
	gateway, _ := liveGateway(t, graph.LiveConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(gateway.URL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := wsjson.Write(ctx, conn, message{Type: "connection_init", Payload: payload(map[string]any{"Authorization": "Basic dXNlcjpwYXNz"})}); err != nil {
		t.Fatal(err)
	}
	for {
		var m message
		err := wsjson.Read(ctx, conn, &m)
		if err != nil {
			if websocket.CloseStatus(err) == -1 {
				t.Errorf("the connection ended with %v, not closed by the gateway", err)
			}
			return
		}
		if m.Type == "connection_ack" {
			t.Fatal("the connection was acknowledged")
		}
	}
}
