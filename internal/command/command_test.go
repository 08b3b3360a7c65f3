package command

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

func TestTokenCreatePrintsOneTokenThatServeAccepts(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "server.db")
	var stdout, stderr bytes.Buffer
	if code := Token([]string{"create", "--database", db, "--name", "ci", "--scopes", "access:read"}, &stdout, &stderr); code != 0 {
		t.Fatalf("token create exited %d: %s", code, stderr.String())
	}
	token := strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(token, "eng_") || strings.Count(stdout.String(), "\n") != 1 {
		t.Fatalf("stdout = %q, want exactly one token line", stdout.String())
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &bytes.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, ln, serveFlags{database: db}, slog.New(slog.NewJSONHandler(logs, nil)))
	}()

	get := func(auth string) *http.Response {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+ln.Addr().String()+"/v1/whoami", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get("Bearer " + token)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var who struct {
		TokenName string   `json:"token_name"`
		Scopes    []string `json:"scopes"`
	}
	if err := json.Unmarshal(body, &who); err != nil || resp.StatusCode != http.StatusOK || who.TokenName != "ci" {
		t.Fatalf("whoami: %d %s (%v)", resp.StatusCode, body, err)
	}
	if resp := get(""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: %d, want 401", resp.StatusCode)
	}

	cancel() // what SIGTERM does
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(logs.String(), token) {
		t.Fatal("the server log holds the token")
	}
	// The database was closed cleanly: it reopens and still knows the token.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.LookupAPIToken(context.Background(), token); err != nil {
		t.Fatalf("after shutdown: %v", err)
	}
}

func TestCommandLineMistakesAreUsageErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		run  func(stdout, stderr io.Writer) int
		code int
		want string
	}{
		"token without a sub-command": {func(o, e io.Writer) int { return Token(nil, o, e) }, 2, "Usage: terraform-provider-engage token create"},
		"token with an unknown scope": {func(o, e io.Writer) int {
			return Token([]string{"create", "--database", filepath.Join(t.TempDir(), "s.db"), "--name", "x", "--scopes", "admin"}, o, e)
		}, 1, `unknown scope "admin"`},
		"serve with half a TLS pair": {func(_, e io.Writer) int { return Serve([]string{"--tls-cert", "c.pem"}, e) }, 2, "--tls-cert and --tls-key go together"},
		"serve --help":               {func(_, e io.Writer) int { return Serve([]string{"--help"}, e) }, 0, "-listen"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := tc.run(&stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("nothing but a token belongs on stdout, got %q", stdout.String())
			}
		})
	}
}

// Probe finding: the server accepted connections without bound and, under
// a low open-file limit, failed with "accept4: too many open files". Past
// --max-connections a connection waits to be served instead.
func TestServeBoundsItsOpenConnections(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "server.db")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, ln, serveFlags{database: db, maxConnections: 2}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	}()
	defer func() {
		cancel()
		<-done
	}()
	addr := ln.Addr().String()
	// request sends a GET on a fresh connection and reports whether an
	// answer came within wait.
	request := func(conn net.Conn, wait time.Duration) bool {
		_ = conn.SetDeadline(time.Now().Add(wait))
		if _, err := io.WriteString(conn, "GET /v1/permissions HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return false
		}
		buf := make([]byte, 12)
		_, err := io.ReadFull(conn, buf)
		return err == nil && strings.HasPrefix(string(buf), "HTTP/1.1 ")
	}
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if !request(c, 5*time.Second) {
			t.Fatal("a connection within the limit was not served")
		}
		held = append(held, c) // kept open: keep-alive holds its slot
	}
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if request(third, 300*time.Millisecond) {
		t.Fatal("a third connection was served while two were open, with --max-connections 2")
	}
	held[0].Close()
	_ = third.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 12)
	if _, err := io.ReadFull(third, buf); err != nil || !strings.HasPrefix(string(buf), "HTTP/1.1 ") {
		t.Fatalf("the waiting connection was not served once a slot was free: %q %v", buf, err)
	}
}
