package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
)

// Secrets the tests below send; none may come back in an error or a log.
const (
	canaryCredential = "canary-credential-41f0be92d7"
	canaryRotation   = "canary-rotation-c5e83a1f06"
	canaryBadToken   = "canary-token-wrong-9a2d7c" // a token the server refuses
)

// slogSink collects what the reference server logs.
type slogSink struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (s *slogSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *slogSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// TestNoSecretInAnyErrorOrLogOfACredentialsLife takes a transfer credential
// through the client and the reference server (authentication on, server
// logging at debug) the way the provider does, create, read, rotate, delete,
// and through every failure around a secret: each error the client returns,
// the client's log and the server's log must be free of the secrets and the
// token.
func TestNoSecretInAnyErrorOrLogOfACredentialsLife(t *testing.T) {
	t.Parallel()
	serverLog := &slogSink{}
	// The fixture's client sends canaryToken: the one token accepted.
	auth := func(_ context.Context, token string) (apiserver.Principal, error) {
		if token != canaryToken {
			return apiserver.Principal{}, fmt.Errorf("%w: unknown API token", access.ErrUnauthorized)
		}
		return apiserver.Principal{Name: "terraform", Scopes: []string{access.ScopeRead, access.ScopeWrite}}, nil
	}
	f := newFixture(t, fixtureOptions{server: apiserver.Options{
		Logger:       slog.New(slog.NewJSONHandler(serverLog, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Authenticate: auth,
	}})
	ctx := t.Context()
	c := f.client

	cred, err := c.CreateTransferCredential(ctx, access.TransferCredential{Name: "sftp_prod", Username: "exporter", Secret: canaryCredential})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if cred.Secret != "" {
		t.Fatal("the created credential came back with a secret")
	}
	if _, err := c.GetTransferCredential(ctx, cred.ID); err != nil {
		t.Fatalf("read: %v", err)
	}
	rotated, err := c.UpdateTransferCredential(ctx, access.TransferCredential{ID: cred.ID, Name: "sftp_prod", Username: "exporter",
		Secret: canaryRotation, Version: cred.Version})
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}

	long := strings.Repeat(canaryCredential, access.MaxSecretLength/len(canaryCredential)+1)
	failures := []struct {
		name string
		call func() error
		is   error
	}{
		{"a secret over the limit", func() error {
			_, err := c.CreateTransferCredential(ctx, access.TransferCredential{Name: "long", Username: "u", Secret: long})
			return err
		}, access.ErrInvalid},
		{"a request body over 1 MiB", func() error {
			_, err := c.CreateTransferCredential(ctx, access.TransferCredential{Name: "huge", Username: "u",
				Secret: strings.Repeat(canaryCredential, apiserver.MaxBodyBytes/len(canaryCredential)+1)})
			return err
		}, nil},
		{"no secret on create", func() error {
			_, err := c.CreateTransferCredential(ctx, access.TransferCredential{Name: "empty", Username: "u"})
			return err
		}, access.ErrInvalid},
		{"an invalid name and user name beside a secret", func() error {
			_, err := c.CreateTransferCredential(ctx, access.TransferCredential{Name: "bad name", Username: " ", Secret: canaryCredential})
			return err
		}, access.ErrInvalid},
		{"a name already taken", func() error {
			_, err := c.CreateTransferCredential(ctx, access.TransferCredential{Name: "SFTP_PROD", Username: "u", Secret: canaryCredential})
			return err
		}, access.ErrConflict},
		{"a stale version", func() error {
			_, err := c.UpdateTransferCredential(ctx, access.TransferCredential{ID: cred.ID, Name: "sftp_prod", Username: "u",
				Secret: canaryCredential, Version: cred.Version})
			return err
		}, access.ErrPreconditionFailed},
		{"a missing credential", func() error {
			_, err := c.UpdateTransferCredential(ctx, access.TransferCredential{ID: "cred_missing", Name: "x", Username: "u", Secret: canaryRotation})
			return err
		}, access.ErrNotFound},
		{"a cancelled request", func() error {
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			_, err := c.CreateTransferCredential(cancelled, access.TransferCredential{Name: "x", Username: "u", Secret: canaryCredential})
			return err
		}, context.Canceled},
	}
	wrongToken := newFixture(t, fixtureOptions{
		server: apiserver.Options{
			Logger:       slog.New(slog.NewJSONHandler(serverLog, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Authenticate: auth,
		},
		config: func(cfg *Config) { cfg.Token = canaryBadToken },
	})
	failures = append(failures, struct {
		name string
		call func() error
		is   error
	}{"a token the server refuses", func() error {
		_, err := wrongToken.client.CreateTransferCredential(ctx, access.TransferCredential{Name: "x", Username: "u", Secret: canaryCredential})
		return err
	}, access.ErrUnauthorized})

	for _, tc := range failures {
		err := tc.call()
		if err == nil {
			t.Errorf("%s: succeeded", tc.name)
			continue
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.is)
		}
		assertNoCanary(t, tc.name+": the error", err.Error())
	}

	if err := c.DeleteTransferCredential(ctx, cred.ID, rotated.Version); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.GetTransferCredential(ctx, cred.ID); !errors.Is(err, access.ErrNotFound) {
		t.Fatalf("read after delete: %v", err)
	}

	logs := serverLog.String()
	if n := strings.Count(logs, `"route":"POST /v1/transfer-credentials"`); n < 7 {
		t.Fatalf("the server logged %d credential creates: the capture is not working\n%s", n, logs)
	}
	if !strings.Contains(logs, `"status":401`) {
		t.Fatalf("the server log has no 401: the refused token was not exercised\n%s", logs)
	}
	assertNoCanary(t, "the server log", logs)
	assertNoCanary(t, "the client log", f.logs.all()+wrongToken.logs.all())
}

func assertNoCanary(t *testing.T, where, text string) {
	t.Helper()
	for _, c := range []string{canaryCredential, canaryRotation, canaryBadToken, canaryToken} {
		if i := strings.Index(text, c); i >= 0 {
			t.Errorf("%s holds the secret %q: ...%s...", where, c, text[max(0, i-150):min(len(text), i+len(c)+40)])
		}
	}
}
