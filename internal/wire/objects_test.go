package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

var (
	created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	later   = time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
)

// roundTrip maps a domain value to its wire form, through JSON and back, so
// that a tag typo or a forgotten field in either mapper shows up.
func roundTrip[A, W any](t *testing.T, in A, from func(A) W, to func(W) A) A {
	t.Helper()
	b, err := json.Marshal(from(in))
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var w W
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return to(w)
}

func TestMappersRoundTripEveryBodyField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  func(t *testing.T) (got, want any)
	}{
		{"a role keeps every field but its version", func(t *testing.T) (any, any) {
			in := access.Role{ID: "rol_1", Name: "Ops", Description: "d", Permissions: []string{"a", "b"},
				EffectivePermissions: []string{"a", "b", "c"}, Sensitive: true, System: true, CreatedAt: created}
			return roundTrip(t, in, FromRole, Role.ToAccess), in
		}},
		{"a user keeps every field but its version", func(t *testing.T) (any, any) {
			in := access.User{ID: "usr_1", Email: "a@example.com", DisplayName: "A", RoleID: "rol_1", Disabled: true,
				Status: access.UserDisabled, TwoFactorEnabled: true, LastLoginAt: &later, CreatedAt: created}
			return roundTrip(t, in, FromUser, User.ToAccess), in
		}},
		{"a user who never logged in has no last login", func(t *testing.T) (any, any) {
			in := access.User{ID: "usr_2", Email: "b@example.com", RoleID: "rol_1", Status: access.UserInvited, CreatedAt: created}
			return roundTrip(t, in, FromUser, User.ToAccess), in
		}},
		{"a masking column keeps table, column, mask and description", func(t *testing.T) (any, any) {
			in := access.MaskingColumn{Table: "contacts", Column: "email", Mask: access.MaskHash, Description: "d"}
			return roundTrip(t, in, FromMaskingColumn, MaskingColumn.ToAccess), in
		}},
		{"an allowlist keeps its entries", func(t *testing.T) (any, any) {
			in := access.IPAllowlist{ID: "ipl_1", Name: "office", Description: "d", Enabled: true,
				Entries: []access.AllowlistEntry{{CIDR: "10.0.0.0/8", Description: "lan"}, {CIDR: "2001:db8::/32"}}}
			return roundTrip(t, in, FromIPAllowlist, IPAllowlist.ToAccess), in
		}},
		{"an allowlist without entries stays empty", func(t *testing.T) (any, any) {
			in := access.IPAllowlist{ID: "ipl_2", Name: "none", Entries: []access.AllowlistEntry{}}
			return roundTrip(t, in, FromIPAllowlist, IPAllowlist.ToAccess), in
		}},
		{"a credential write keeps its secret", func(t *testing.T) (any, any) {
			in := access.TransferCredential{ID: "cred_1", Name: "sftp", Username: "u", Secret: "s3cr3t",
				Reference: "{{credential.sftp}}", CreatedAt: created, RotatedAt: later}
			return roundTrip(t, in, FromTransferCredentialWrite, TransferCredentialWrite.ToAccess), in
		}},
		{"a credential read drops its secret", func(t *testing.T) (any, any) {
			in := access.TransferCredential{ID: "cred_1", Name: "sftp", Username: "u", Secret: "s3cr3t",
				Reference: "{{credential.sftp}}", CreatedAt: created, RotatedAt: later}
			want := in
			want.Secret = ""
			return roundTrip(t, in, FromTransferCredential, TransferCredential.ToAccess), want
		}},
		{"an SFTP destination keeps its target and kinds", func(t *testing.T) (any, any) {
			in := access.ExportDestination{ID: "dst_1", Name: "prod", Type: access.DestinationSFTP,
				SFTP:        &access.SFTPTarget{Host: "h", Port: 22, Path: "/p", HostKeySHA256: "SHA256:x", CredentialID: "cred_1"},
				ExportKinds: []access.ExportKind{access.ExportCloud, access.ExportReport}, CreatedAt: created}
			return roundTrip(t, in, FromExportDestination, ExportDestination.ToAccess), in
		}},
		{"an S3 destination keeps its target", func(t *testing.T) (any, any) {
			in := access.ExportDestination{ID: "dst_2", Name: "lake", Type: access.DestinationS3,
				S3:          &access.S3Target{Bucket: "b", Region: "eu-west-1", Prefix: "x/", CredentialID: "cred_1"},
				ExportKinds: []access.ExportKind{access.ExportRawData}, CreatedAt: created}
			return roundTrip(t, in, FromExportDestination, ExportDestination.ToAccess), in
		}},
		{"security settings keep SSO, the certificate expiry and whether they are customized", func(t *testing.T) (any, any) {
			in := access.SecuritySettings{RequireTwoFactor: true, SessionTimeoutMinutes: 60, CampaignApprovalRequired: true, Customized: true,
				SSO: access.SSOSettings{Enabled: true, IdPEntityID: "e", IdPSSOURL: "https://idp", IdPCertificatePEM: "pem",
					IdPCertificateExpiresAt: &later, Enforce: true}}
			return roundTrip(t, in, FromSecuritySettings, SecuritySettings.ToAccess), in
		}},
		{"a permission keeps its implications", func(t *testing.T) (any, any) {
			in := access.Permission{Key: "k", ID: 7, Category: "c", Name: "n", Description: "d", Implies: []string{"j"}, Sensitive: true}
			return roundTrip(t, in, FromPermission, Permission.ToAccess), in
		}},
		{"a caller keeps name, scopes and address", func(t *testing.T) (any, any) {
			in := access.Caller{TokenName: "ci", Scopes: []string{"access:read"}, ClientIP: "192.0.2.1"}
			return roundTrip(t, in, FromCaller, WhoAmI.ToAccess), in
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, want := tc.run(t)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip = %+v\nwant        %+v", got, want)
			}
		})
	}
}

func TestBodiesSpellFieldsAsTheTerraformAttributes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		body    any
		want    []string
		notWant []string
	}{
		{"role", FromRole(access.Role{ID: "r", CreatedAt: created}),
			[]string{`"id":"r"`, `"permissions":[]`, `"effective_permissions":[]`, `"created_at":"2026-01-02T03:04:05Z"`},
			[]string{"version", "updated_at"}},
		{"credential", FromTransferCredential(access.TransferCredential{Name: "n", Secret: "canary-secret"}),
			[]string{`"name":"n"`}, []string{"secret", "canary-secret", "created_at"}},
		{"destination", FromExportDestination(access.ExportDestination{Type: access.DestinationSFTP, SFTP: &access.SFTPTarget{HostKeySHA256: "k"}}),
			[]string{`"type":"sftp"`, `"host_key_sha256":"k"`, `"export_kinds":[]`}, []string{`"s3"`}},
		{"settings", FromSecuritySettings(access.DefaultSecuritySettings()),
			[]string{`"session_timeout_minutes":1440`, `"sso":{"enabled":false`, `"customized":false`}, []string{"idp_certificate_expires_at", "version"}},
		{"masking column", FromMaskingColumn(access.MaskingColumn{Table: "t", Column: "c"}),
			[]string{`"id":"t/c"`}, nil},
		{"list", FromPage(access.Page[access.Role]{}, FromRole), []string{`{"items":[]}`}, []string{"next_page_token"}},
		{"problem", Problem{Type: ProblemInvalid, Title: "t", Status: 400, Errors: []FieldError{{Field: "name", Message: "m"}}},
			[]string{`"errors":[{"field":"name","message":"m"}]`}, []string{"detail"}},
	}
	for _, tc := range cases {
		t.Run("a "+tc.name+" body is spelled in snake_case", func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s lacks %s", b, w)
				}
			}
			for _, n := range tc.notWant {
				if strings.Contains(string(b), n) {
					t.Errorf("%s contains %s", b, n)
				}
			}
		})
	}
}
