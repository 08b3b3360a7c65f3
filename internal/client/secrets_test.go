package client

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestTheTokenNeverReachesALogLineOrAnError(t *testing.T) {
	t.Parallel()
	// An address nothing listens on: every attempt fails to connect.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := ln.Addr().String()
	_ = ln.Close()

	cases := []struct {
		name string
		opts fixtureOptions
	}{
		{"an endpoint that refuses connections", fixtureOptions{config: func(c *Config) {
			c.Endpoint = "http://" + deadAddr
			c.MaxRetries = 2
		}}},
		{"a server that refuses the token", fixtureOptions{wrap: func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Bearer "+canaryToken {
					t.Errorf("Authorization header = %q", r.Header.Get("Authorization"))
				}
				w.Header().Set("WWW-Authenticate", "Bearer")
				w.WriteHeader(http.StatusUnauthorized)
			})
		}}},
		{"a server that keeps failing", fixtureOptions{wrap: func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
		}, config: func(c *Config) { c.MaxRetries = 2 }}},
	}
	for _, tc := range cases {
		t.Run("with "+tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.opts)
			ctx := t.Context()
			var errs []error
			_, err := f.client.CreateTransferCredential(ctx, access.TransferCredential{Name: "c", Username: "u", Secret: "canary-secret"})
			errs = append(errs, err)
			_, err = f.client.ListRoles(ctx, access.ListOptions{})
			errs = append(errs, err)
			errs = append(errs, f.client.DeleteUser(ctx, "usr_1", 3))
			for _, err := range errs {
				if err == nil {
					t.Fatal("a request succeeded against a failing endpoint")
				}
				if strings.Contains(err.Error(), canaryToken) || strings.Contains(err.Error(), "canary-secret") {
					t.Errorf("an error quotes a secret: %v", err)
				}
			}
			logs := f.logs.all()
			if logs == "" {
				t.Error("nothing was logged; the test would prove nothing")
			}
			if strings.Contains(logs, canaryToken) || strings.Contains(logs, "canary-secret") {
				t.Errorf("the logs quote a secret:\n%s", logs)
			}
		})
	}
}

func TestTheLoggerRedactsTheTokenWhateverItIsGiven(t *testing.T) {
	t.Parallel()
	capture := &captureLogger{}
	l := leveled{redactingLogger{next: capture, token: canaryToken}}
	l.Error("request failed "+canaryToken, "error", errors.New("Authorization: Bearer "+canaryToken))
	l.Debug("x", "header", http.Header{"Authorization": {"Bearer " + canaryToken}})
	if got := capture.all(); strings.Contains(got, canaryToken) || !strings.Contains(got, "[redacted]") {
		t.Errorf("logged %q", got)
	}
}

func TestTheClientSideRateLimitSpacesRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{config: func(c *Config) { c.MaxRequestsPerSecond = 20 }})
	const n = 6
	start := time.Now()
	for range n {
		if _, err := f.client.ListPermissions(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	want := time.Duration(n-1) * time.Second / 20
	if took := time.Since(start); took < want-5*time.Millisecond {
		t.Errorf("%d requests at 20 per second took %s, want at least %s", n, took, want)
	}
}

func TestNewRefusesMisconfigurationNamingTheField(t *testing.T) {
	t.Parallel()
	ok := Config{Endpoint: "https://api.engage.example", Token: "t"}
	cases := []struct {
		name      string
		change    func(*Config)
		field     string
		message   string
		notInText string
	}{
		{"an empty endpoint", func(c *Config) { c.Endpoint = "" }, "endpoint", "must be set", ""},
		{"a relative endpoint", func(c *Config) { c.Endpoint = "api.engage.example" }, "endpoint", "must be an absolute http(s) URL", ""},
		{"an ftp endpoint", func(c *Config) { c.Endpoint = "ftp://api.engage.example" }, "endpoint", "must be an absolute http(s) URL", ""},
		{"an endpoint with credentials", func(c *Config) { c.Endpoint = "https://me:hunter2@api.engage.example" }, "endpoint", "user info", "hunter2"},
		{"an endpoint with a query", func(c *Config) { c.Endpoint = "https://api.engage.example/?token=hunter2" }, "endpoint", "query", "hunter2"},
		{"a missing token", func(c *Config) { c.Token = "" }, "api_token", "must be set", ""},
		{"a token with a newline", func(c *Config) { c.Token = "abc\nX-Evil: 1" }, "api_token", "control characters", "abc"},
		{"a missing CA file", func(c *Config) { c.CACertFile = "/nonexistent/ca.pem" }, "ca_cert_file", "cannot be read", ""},
		{"a CA file without certificates", func(c *Config) { c.CACertFile = "client.go" }, "ca_cert_file", "no PEM certificate", ""},
		{"too many retries", func(c *Config) { c.MaxRetries = 11 }, "max_retries", "from 0 to 10", ""},
		{"a negative timeout", func(c *Config) { c.RequestTimeout = -time.Second }, "request_timeout", "negative", ""},
		{"a negative rate", func(c *Config) { c.MaxRequestsPerSecond = -1 }, "max_requests_per_second", "negative", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tc.change(&cfg)
			_, err := New(cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || !strings.Contains(ce.Message, tc.message) {
				t.Fatalf("New = %v, want %s: ...%s...", err, tc.field, tc.message)
			}
			if tc.notInText != "" && strings.Contains(err.Error(), tc.notInText) {
				t.Errorf("the error quotes %q: %v", tc.notInText, err)
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Errorf("a valid config is refused: %v", err)
	}
}

func TestTFLogLoggerWritesFieldsToTheContextsLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	l := leveled{redactingLogger{next: TFLogLogger(ctx), token: canaryToken}}
	l.Debug("retrying request", "request", "GET /v1/roles (status: 503)", "remaining", 2)
	l.Error("request failed", "error", "Bearer "+canaryToken)
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0]["@message"] != "retrying request" || entries[0]["request"] != "GET /v1/roles (status: 503)" {
		t.Errorf("entries = %v", entries)
	}
	if strings.Contains(buf.String(), canaryToken) {
		t.Errorf("tflog got the token: %s", buf.String())
	}
}
