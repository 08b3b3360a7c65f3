package client

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestEveryObjectTypeRoundTripsThroughTheClient(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{
		{"a role is created, read, listed, found by name, updated and deleted", func(t *testing.T, f *fixture) {
			c, ctx := f.client, t.Context()
			r, err := c.CreateRole(ctx, access.Role{Name: "Ops", Description: "d", Permissions: []string{"campaign.view"}})
			if err != nil {
				t.Fatal(err)
			}
			if r.ID == "" || r.Version == 0 || len(r.EffectivePermissions) == 0 {
				t.Fatalf("created role lacks computed fields: %+v", r)
			}
			got, err := c.GetRole(ctx, r.ID)
			if err != nil || got.Name != "Ops" || got.Version != r.Version {
				t.Fatalf("GetRole = %+v, %v", got, err)
			}
			byName, err := c.GetRoleByName(ctx, "ops")
			if err != nil || byName.ID != r.ID {
				t.Fatalf("GetRoleByName = %+v, %v", byName, err)
			}
			page, err := c.ListRoles(ctx, access.ListOptions{})
			if err != nil || !slices.ContainsFunc(page.Items, func(x access.Role) bool { return x.ID == r.ID }) {
				t.Fatalf("ListRoles = %+v, %v", page, err)
			}
			r.Description = "changed"
			upd, err := c.UpdateRole(ctx, r)
			if err != nil || upd.Description != "changed" || upd.Version <= r.Version {
				t.Fatalf("UpdateRole = %+v, %v", upd, err)
			}
			if err := c.DeleteRole(ctx, r.ID, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := f.store.GetRole(ctx, r.ID); !errors.Is(err, access.ErrNotFound) {
				t.Fatalf("the store still has the role: %v", err)
			}
		}},
		{"a user is created, read, found by email, listed, updated and deleted", func(t *testing.T, f *fixture) {
			c, ctx := f.client, t.Context()
			role, err := c.CreateRole(ctx, access.Role{Name: "Viewer", Permissions: []string{"campaign.view"}})
			if err != nil {
				t.Fatal(err)
			}
			u, err := c.CreateUser(ctx, access.User{Email: "Ada@Example.com", DisplayName: "Ada", RoleID: role.ID})
			if err != nil {
				t.Fatal(err)
			}
			if u.Status != access.UserInvited || u.Version == 0 {
				t.Fatalf("created user = %+v", u)
			}
			byEmail, err := c.GetUserByEmail(ctx, "ada@example.com")
			if err != nil || byEmail.ID != u.ID {
				t.Fatalf("GetUserByEmail = %+v, %v", byEmail, err)
			}
			page, err := c.ListUsers(ctx, access.ListOptions{})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("ListUsers = %+v, %v", page, err)
			}
			u.Disabled = true
			upd, err := c.UpdateUser(ctx, u)
			if err != nil || upd.Status != access.UserDisabled {
				t.Fatalf("UpdateUser = %+v, %v", upd, err)
			}
			if err := c.DeleteUser(ctx, u.ID, upd.Version); err != nil {
				t.Fatal(err)
			}
			if _, err := c.GetUser(ctx, u.ID); !errors.Is(err, access.ErrNotFound) {
				t.Fatalf("GetUser after delete = %v", err)
			}
		}},
		{"a masking column is created, read, listed, updated and deleted", func(t *testing.T, f *fixture) {
			c, ctx := f.client, t.Context()
			col, err := c.CreateMaskingColumn(ctx, access.MaskingColumn{Table: "contacts", Column: "email", Mask: access.MaskHash})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.GetMaskingColumn(ctx, "contacts", "email")
			if err != nil || got.Mask != access.MaskHash || got.Version != col.Version {
				t.Fatalf("GetMaskingColumn = %+v, %v", got, err)
			}
			page, err := c.ListMaskingColumns(ctx, access.ListOptions{})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("ListMaskingColumns = %+v, %v", page, err)
			}
			col.Mask = access.MaskPartial
			upd, err := c.UpdateMaskingColumn(ctx, col)
			if err != nil || upd.Mask != access.MaskPartial {
				t.Fatalf("UpdateMaskingColumn = %+v, %v", upd, err)
			}
			if err := c.DeleteMaskingColumn(ctx, "contacts", "email", 0); err != nil {
				t.Fatal(err)
			}
			if _, err := f.store.GetMaskingColumn(ctx, "contacts", "email"); !errors.Is(err, access.ErrNotFound) {
				t.Fatalf("the store still has the column: %v", err)
			}
		}},
		{"an IP allowlist is created, read, listed, updated and deleted", func(t *testing.T, f *fixture) {
			c, ctx := f.client, t.Context()
			l, err := c.CreateIPAllowlist(ctx, access.IPAllowlist{Name: "office", Entries: []access.AllowlistEntry{
				{CIDR: "10.0.0.0/8", Description: "lan"}, {CIDR: "2001:db8::/32"},
			}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.GetIPAllowlist(ctx, l.ID)
			if err != nil || len(got.Entries) != 2 {
				t.Fatalf("GetIPAllowlist = %+v, %v", got, err)
			}
			page, err := c.ListIPAllowlists(ctx, access.ListOptions{})
			if err != nil || len(page.Items) != 1 || len(page.Items[0].Entries) != 2 {
				t.Fatalf("ListIPAllowlists = %+v, %v", page, err)
			}
			l.Entries = append(l.Entries, access.AllowlistEntry{CIDR: "192.0.2.1"})
			upd, err := c.UpdateIPAllowlist(ctx, l)
			if err != nil || !slices.ContainsFunc(upd.Entries, func(e access.AllowlistEntry) bool { return e.CIDR == "192.0.2.1/32" }) {
				t.Fatalf("UpdateIPAllowlist = %+v, %v", upd, err)
			}
			if err := c.DeleteIPAllowlist(ctx, l.ID, 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"a transfer credential's secret reaches the store and rotates", func(t *testing.T, f *fixture) {
			c, ctx := f.client, t.Context()
			cred, err := c.CreateTransferCredential(ctx, access.TransferCredential{Name: "sftp_prod", Username: "u", Secret: "first-secret"})
			if err != nil {
				t.Fatal(err)
			}
			if cred.Secret != "" || cred.Reference == "" {
				t.Fatalf("created credential = %+v; want no secret and a reference", cred)
			}
			if ok, err := f.store.TransferSecretMatches(ctx, cred.ID, "first-secret"); !ok || err != nil {
				t.Fatalf("the store does not hold the first secret: %v, %v", ok, err)
			}
			cred.Username = "u2"
			kept, err := c.UpdateTransferCredential(ctx, cred) // no secret: keep it
			if err != nil || kept.Username != "u2" {
				t.Fatalf("UpdateTransferCredential = %+v, %v", kept, err)
			}
			if ok, _ := f.store.TransferSecretMatches(ctx, cred.ID, "first-secret"); !ok {
				t.Fatal("an update without a secret lost the stored one")
			}
			kept.Secret = "second-secret"
			if _, err := c.UpdateTransferCredential(ctx, kept); err != nil {
				t.Fatal(err)
			}
			if ok, _ := f.store.TransferSecretMatches(ctx, cred.ID, "second-secret"); !ok {
				t.Fatal("the secret was not rotated")
			}
			page, err := c.ListTransferCredentials(ctx, access.ListOptions{})
			if err != nil || len(page.Items) != 1 || page.Items[0].Secret != "" {
				t.Fatalf("ListTransferCredentials = %+v, %v", page, err)
			}
			got, err := c.GetTransferCredential(ctx, cred.ID)
			if err != nil || got.Secret != "" {
				t.Fatalf("GetTransferCredential = %+v, %v", got, err)
			}
			if err := c.DeleteTransferCredential(ctx, cred.ID, 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"an export destination is created, read, listed, updated and deleted", func(t *testing.T, f *fixture) {
			c, ctx := f.client, t.Context()
			cred, err := c.CreateTransferCredential(ctx, access.TransferCredential{Name: "sftp_prod", Username: "u", Secret: "s"})
			if err != nil {
				t.Fatal(err)
			}
			d, err := c.CreateExportDestination(ctx, access.ExportDestination{
				Name: "prod", SFTP: &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/in", CredentialID: cred.ID},
				ExportKinds: []access.ExportKind{access.ExportCloud},
			})
			if err != nil {
				t.Fatal(err)
			}
			if d.Type != access.DestinationSFTP {
				t.Fatalf("created destination = %+v", d)
			}
			if err := c.DeleteTransferCredential(ctx, cred.ID, 0); !errors.Is(err, access.ErrConflict) {
				t.Fatalf("deleting a credential in use = %v, want a conflict", err)
			}
			page, err := c.ListExportDestinations(ctx, access.ListOptions{})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("ListExportDestinations = %+v, %v", page, err)
			}
			d.ExportKinds = append(d.ExportKinds, access.ExportReport)
			upd, err := c.UpdateExportDestination(ctx, d)
			if err != nil || len(upd.ExportKinds) != 2 {
				t.Fatalf("UpdateExportDestination = %+v, %v", upd, err)
			}
			got, err := c.GetExportDestination(ctx, d.ID)
			if err != nil || got.SFTP == nil || got.SFTP.Host != "sftp.example.com" {
				t.Fatalf("GetExportDestination = %+v, %v", got, err)
			}
			if err := c.DeleteExportDestination(ctx, d.ID, 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"the security settings are read, replaced and reset", func(t *testing.T, f *fixture) {
			c, ctx := f.client, t.Context()
			s, err := c.GetSecuritySettings(ctx)
			if err != nil || s.SessionTimeoutMinutes != access.DefaultSessionTimeoutMinutes || s.Version == 0 || s.Customized {
				t.Fatalf("GetSecuritySettings = %+v, %v; want the defaults, not customized", s, err)
			}
			s.RequireTwoFactor, s.SessionTimeoutMinutes = true, 60
			upd, err := c.UpdateSecuritySettings(ctx, s)
			if err != nil || !upd.RequireTwoFactor || upd.SessionTimeoutMinutes != 60 || !upd.Customized {
				t.Fatalf("UpdateSecuritySettings = %+v, %v; want the new values, customized", upd, err)
			}
			stored, _ := f.store.GetSecuritySettings(ctx)
			if !stored.RequireTwoFactor {
				t.Fatal("the store did not get the settings")
			}

			// The client has seen an ETag here: the reset must still go
			// through, unconditionally.
			reset, err := c.ResetSecuritySettings(ctx)
			want := access.DefaultSecuritySettings()
			want.Version = upd.Version + 1
			if err != nil || !reflect.DeepEqual(reset, want) {
				t.Fatalf("ResetSecuritySettings = %+v, %v\nwant %+v", reset, err, want)
			}
			if stored, _ := f.store.GetSecuritySettings(ctx); stored.Customized || stored.RequireTwoFactor || stored.Version != reset.Version {
				t.Fatalf("the store holds %+v after the reset, want the defaults at version %d, not customized", stored, reset.Version)
			}
			// An update without a version is conditional on the last ETag
			// the client saw, which must be the reset's, not the update's.
			s = access.DefaultSecuritySettings()
			if again, err := c.UpdateSecuritySettings(ctx, s); err != nil || !again.Customized {
				t.Fatalf("UpdateSecuritySettings after the reset = %+v, %v; want it to succeed, customized", again, err)
			}
		}},
		{"the catalog and the caller are read", func(t *testing.T, f *fixture) {
			c, ctx := f.client, t.Context()
			perms, err := c.ListPermissions(ctx)
			if err != nil || len(perms) == 0 {
				t.Fatalf("ListPermissions = %d, %v", len(perms), err)
			}
			who, err := c.WhoAmI(ctx)
			if err != nil || who.ClientIP != "127.0.0.1" {
				t.Fatalf("WhoAmI = %+v, %v", who, err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newFixture(t, fixtureOptions{}))
		})
	}
}

func TestListsPageThroughEveryObjectOrReturnOnePage(t *testing.T) {
	t.Parallel()
	counter := &routeCounter{}
	f := newFixture(t, fixtureOptions{wrap: counter.wrap})
	ctx := t.Context()
	const n = 1203
	for i := range n {
		if _, err := f.store.CreateMaskingColumn(ctx, access.MaskingColumn{Table: "t", Column: fmt.Sprintf("c%04d", i), Mask: access.MaskFull}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := f.client.ListMaskingColumns(ctx, access.ListOptions{})
	if err != nil || len(all.Items) != n || all.NextPageToken != "" {
		t.Fatalf("listing everything = %d items, token %q, %v", len(all.Items), all.NextPageToken, err)
	}
	if got := counter.get("GET /v1/masking-columns"); got != 3 {
		t.Errorf("listing %d objects took %d requests, want 3 pages of 500", n, got)
	}
	one, err := f.client.ListMaskingColumns(ctx, access.ListOptions{Limit: 10})
	if err != nil || len(one.Items) != 10 || one.NextPageToken == "" {
		t.Fatalf("one page = %d items, token %q, %v", len(one.Items), one.NextPageToken, err)
	}
	next, err := f.client.ListMaskingColumns(ctx, access.ListOptions{Limit: 10, PageToken: one.NextPageToken})
	if err != nil || len(next.Items) != 10 || next.Items[0] == one.Items[0] {
		t.Fatalf("the next page = %+v, %v", next.Items, err)
	}
}
