package client

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

func TestServerErrorsMapBackToAccessErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		run   func(ctx context.Context, c *Client) error
		is    error
		check func(t *testing.T, err error)
	}{
		{"a 400 keeps every invalid field's name", func(ctx context.Context, c *Client) error {
			_, err := c.CreateExportDestination(ctx, access.ExportDestination{Name: "x",
				SFTP: &access.SFTPTarget{Host: "h", Port: 70000, Path: "in", CredentialID: "cred_nope"}})
			return err
		}, access.ErrInvalid, func(t *testing.T, err error) {
			var v *access.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("%v is not a *ValidationError", err)
			}
			fields := map[string]bool{}
			for _, f := range v.Fields {
				fields[f.Field] = true
			}
			for _, want := range []string{"sftp.port", "sftp.path", "export_kinds"} {
				if !fields[want] {
					t.Errorf("fields %v lack %s", v.Fields, want)
				}
			}
			if v.Kind != "export destination" {
				t.Errorf("kind = %q", v.Kind)
			}
		}},
		{"a 404 names the kind and id", func(ctx context.Context, c *Client) error {
			_, err := c.GetIPAllowlist(ctx, "ipl_nope")
			return err
		}, access.ErrNotFound, func(t *testing.T, err error) {
			var nf *access.NotFoundError
			if !errors.As(err, &nf) || nf.Kind != "IP allowlist" || nf.ID != "ipl_nope" {
				t.Errorf("err = %#v", err)
			}
		}},
		{"a 404 on a masking column names table/column", func(ctx context.Context, c *Client) error {
			return c.DeleteMaskingColumn(ctx, "contacts", "email", 0)
		}, access.ErrNotFound, func(t *testing.T, err error) {
			var nf *access.NotFoundError
			if !errors.As(err, &nf) || nf.ID != "contacts/email" {
				t.Errorf("err = %#v", err)
			}
		}},
		{"a 409 carries the platform's reason", func(ctx context.Context, c *Client) error {
			if _, err := c.CreateRole(ctx, access.Role{Name: "Dup", Permissions: []string{"campaign.view"}}); err != nil {
				return err
			}
			_, err := c.CreateRole(ctx, access.Role{Name: "dup", Permissions: []string{"campaign.view"}})
			return err
		}, access.ErrConflict, func(t *testing.T, err error) {
			var ce *access.ConflictError
			if !errors.As(err, &ce) || ce.Kind != "role" || ce.Reason == "" {
				t.Errorf("err = %#v", err)
			}
		}},
		{"a 412 on a stale version says the object changed outside Terraform", func(ctx context.Context, c *Client) error {
			r, err := c.CreateRole(ctx, access.Role{Name: "Stale", Permissions: []string{"campaign.view"}})
			if err != nil {
				return err
			}
			stale := r
			r.Description = "first"
			if _, err := c.UpdateRole(ctx, r); err != nil {
				return err
			}
			stale.Description = "second"
			_, err = c.UpdateRole(ctx, stale)
			return err
		}, access.ErrPreconditionFailed, func(t *testing.T, err error) {
			var pf *access.PreconditionFailedError
			if !errors.As(err, &pf) || pf.Kind != "role" || !strings.Contains(err.Error(), "changed outside Terraform since it was last read") {
				t.Errorf("err = %#v (%v)", err, err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			err := tc.run(t.Context(), f.client)
			if !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want errors.Is %v", err, tc.is)
			}
			tc.check(t, err)
		})
	}
}

func TestAWriteWithVersionZeroIsConditionalOnTheLastETagSeen(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	ctx := t.Context()
	r, err := f.client.CreateRole(ctx, access.Role{Name: "Ops", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	// Someone else changes the role behind this client's back.
	other := r
	other.Description = "changed elsewhere"
	if _, err := f.store.UpdateRole(ctx, other); err != nil {
		t.Fatal(err)
	}
	r.Version = 0
	r.Description = "mine"
	if _, err := f.client.UpdateRole(ctx, r); !errors.Is(err, access.ErrPreconditionFailed) {
		t.Fatalf("an update after an outside change = %v, want a precondition failure", err)
	}
	if err := f.client.DeleteRole(ctx, r.ID, 0); !errors.Is(err, access.ErrPreconditionFailed) {
		t.Fatalf("a delete after an outside change = %v, want a precondition failure", err)
	}
	// Reading again refreshes what the client remembers.
	if _, err := f.client.GetRole(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.UpdateRole(ctx, r); err != nil {
		t.Fatalf("an update after a fresh read = %v", err)
	}
}

func TestRefusedTokensMapToUnauthorizedAndForbidden(t *testing.T) {
	t.Parallel()
	refuse := func(status int, typ, reason string) func(http.Handler) http.Handler {
		return func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", wire.ProblemContentType)
				w.WriteHeader(status)
				_, _ = w.Write([]byte(`{"type":"` + typ + `","title":"refused","status":` + strconv.Itoa(status) +
					`,"detail":"refused: ` + reason + `","reason":"` + reason + `"}`))
			})
		}
	}
	cases := []struct {
		name   string
		mw     func(http.Handler) http.Handler
		is     error
		detail string
	}{
		{"a 401 wraps ErrUnauthorized with the reason", refuse(http.StatusUnauthorized, wire.ProblemUnauthorized, "the token is unknown or revoked"),
			access.ErrUnauthorized, "the token is unknown or revoked"},
		{"a 403 wraps ErrForbidden with the reason", refuse(http.StatusForbidden, wire.ProblemForbidden, "the token lacks scope access:write"),
			access.ErrForbidden, "the token lacks scope access:write"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{server: apiserver.Options{Middleware: []func(http.Handler) http.Handler{tc.mw}}})
			_, err := f.client.CreateRole(t.Context(), access.Role{Name: "x", Permissions: []string{"campaign.view"}})
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.detail) {
				t.Fatalf("err = %v, want %v with %q", err, tc.is, tc.detail)
			}
			if strings.Contains(err.Error(), canaryToken) {
				t.Fatalf("the error quotes the token: %v", err)
			}
		})
	}
}

// The same operation must fail the same way on both backends: the provider
// tests errors with errors.Is/As and shows their messages.
func TestTheClientFailsLikeTheEmbeddedStore(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  func(ctx context.Context, svc access.Service) error
	}{
		{"reading a missing user", func(ctx context.Context, svc access.Service) error {
			_, err := svc.GetUser(ctx, "usr_missing")
			return err
		}},
		{"creating a role with an unknown permission and no name", func(ctx context.Context, svc access.Service) error {
			_, err := svc.CreateRole(ctx, access.Role{Permissions: []string{"no.such.permission"}})
			return err
		}},
		{"deleting a role a user still holds", func(ctx context.Context, svc access.Service) error {
			r, err := svc.CreateRole(ctx, access.Role{Name: "Held", Permissions: []string{"campaign.view"}})
			if err != nil {
				return err
			}
			if _, err := svc.CreateUser(ctx, access.User{Email: "a@example.com", DisplayName: "A", RoleID: r.ID}); err != nil {
				return err
			}
			return svc.DeleteRole(ctx, r.ID, 0)
		}},
		{"updating the settings with a stale version", func(ctx context.Context, svc access.Service) error {
			s, err := svc.GetSecuritySettings(ctx)
			if err != nil {
				return err
			}
			s.SessionTimeoutMinutes = 60
			if _, err := svc.UpdateSecuritySettings(ctx, s); err != nil {
				return err
			}
			s.SessionTimeoutMinutes = 90
			_, err = svc.UpdateSecuritySettings(ctx, s)
			return err
		}},
	}
	sentinels := []error{access.ErrNotFound, access.ErrConflict, access.ErrInvalid, access.ErrPreconditionFailed,
		access.ErrUnauthorized, access.ErrForbidden, access.ErrRateLimited}
	for _, tc := range cases {
		t.Run(tc.name+" fails the same way on both backends", func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			embedded := newFixture(t, fixtureOptions{}).store
			storeErr := tc.run(t.Context(), embedded)
			clientErr := tc.run(t.Context(), f.client)
			if storeErr == nil || clientErr == nil {
				t.Fatalf("store: %v; client: %v; want both to fail", storeErr, clientErr)
			}
			for _, s := range sentinels {
				if errors.Is(storeErr, s) != errors.Is(clientErr, s) {
					t.Errorf("errors.Is(_, %v): store %v, client %v", s, errors.Is(storeErr, s), errors.Is(clientErr, s))
				}
			}
			var sv, cv *access.ValidationError
			if errors.As(storeErr, &sv) != errors.As(clientErr, &cv) {
				t.Errorf("errors.As *ValidationError differs")
			}
			if sv != nil && cv != nil && !equalFields(sv.Fields, cv.Fields) {
				t.Errorf("fields: store %v, client %v", sv.Fields, cv.Fields)
			}
			// Generated ids differ between the two databases; nothing else may.
			if generatedID.ReplaceAllString(storeErr.Error(), "ID") != generatedID.ReplaceAllString(clientErr.Error(), "ID") {
				t.Errorf("messages differ:\nstore:  %v\nclient: %v", storeErr, clientErr)
			}
		})
	}
}

var generatedID = regexp.MustCompile(`\b[a-z]+_[0-9a-f]{16}\b`)

func equalFields(a, b []access.FieldError) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
