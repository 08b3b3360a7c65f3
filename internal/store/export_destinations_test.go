package store

import (
	"errors"
	"slices"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

const testHostKey = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"

func mustCreateDestination(t *testing.T, s *Store, name, credID string) access.ExportDestination {
	t.Helper()
	d, err := s.CreateExportDestination(t.Context(), access.ExportDestination{
		Name:        name,
		SFTP:        &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/exports", CredentialID: credID},
		ExportKinds: []access.ExportKind{access.ExportRawData},
	})
	if err != nil {
		t.Fatalf("CreateExportDestination(%q): %v", name, err)
	}
	return d
}

func TestExportDestinationRoundTripAndTypeSwitch(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		cred := mustCreateCredential(t, s, "sftp_prod", "x")
		d, err := s.CreateExportDestination(ctx, access.ExportDestination{
			Name:        "Warehouse",
			SFTP:        &access.SFTPTarget{Host: "sftp.example.com", Port: 2222, Path: "/in", HostKeySHA256: testHostKey, CredentialID: cred.ID},
			ExportKinds: []access.ExportKind{access.ExportReport, access.ExportCloud, access.ExportReport},
		})
		if err != nil {
			t.Fatal(err)
		}
		if d.Type != access.DestinationSFTP || d.S3 != nil || *d.SFTP != (access.SFTPTarget{Host: "sftp.example.com", Port: 2222, Path: "/in", HostKeySHA256: testHostKey, CredentialID: cred.ID}) {
			t.Fatalf("created = %+v (sftp %+v)", d, d.SFTP)
		}
		if want := []access.ExportKind{access.ExportCloud, access.ExportReport}; !slices.Equal(d.ExportKinds, want) {
			t.Errorf("export kinds = %v, want sorted and unique %v", d.ExportKinds, want)
		}

		d.SFTP = nil
		d.S3 = &access.S3Target{Bucket: "engage-exports", Region: "eu-central-1", Prefix: "raw/", CredentialID: cred.ID}
		updated, err := s.UpdateExportDestination(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetExportDestination(ctx, d.ID)
		if err != nil || got.Type != access.DestinationS3 || got.SFTP != nil || *got.S3 != *d.S3 || got.Version != updated.Version {
			t.Fatalf("after switching to s3: %+v, %v", got, err)
		}

		if err := s.DeleteExportDestination(ctx, d.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetExportDestination(ctx, d.ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		// With its destination gone, the credential can go too.
		if err := s.DeleteTransferCredential(ctx, cred.ID, 0); err != nil {
			t.Fatalf("deleting an unused credential: %v", err)
		}
	})
}

func TestExportDestinationRules(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		cred := mustCreateCredential(t, s, "sftp_prod", "x")
		sftp := func() *access.SFTPTarget {
			return &access.SFTPTarget{Host: "sftp.example.com", Port: 22, Path: "/in", CredentialID: cred.ID}
		}
		kinds := []access.ExportKind{access.ExportReport}
		cases := map[string]struct {
			d            access.ExportDestination
			field, words string
		}{
			"neither target":            {access.ExportDestination{Name: "x", ExportKinds: kinds}, "sftp", "exactly one of sftp and s3"},
			"both targets":              {access.ExportDestination{Name: "x", SFTP: sftp(), S3: &access.S3Target{Bucket: "abc", Region: "eu-west-1", CredentialID: cred.ID}, ExportKinds: kinds}, "sftp", "exactly one"},
			"a missing credential":      {access.ExportDestination{Name: "x", SFTP: &access.SFTPTarget{Host: "h", Port: 22, Path: "/", CredentialID: "cred_nope"}, ExportKinds: kinds}, "sftp.credential_id", `"cred_nope" does not exist`},
			"a missing s3 credential":   {access.ExportDestination{Name: "x", S3: &access.S3Target{Bucket: "abc", Region: "eu-west-1", CredentialID: "cred_nope"}, ExportKinds: kinds}, "s3.credential_id", "does not exist"},
			"no export kinds":           {access.ExportDestination{Name: "x", SFTP: sftp()}, "export_kinds", "at least one"},
			"an unknown export kind":    {access.ExportDestination{Name: "x", SFTP: sftp(), ExportKinds: []access.ExportKind{"csv"}}, "export_kinds", `got "csv"`},
			"a relative sftp path":      {access.ExportDestination{Name: "x", SFTP: &access.SFTPTarget{Host: "h", Port: 22, Path: "in", CredentialID: cred.ID}, ExportKinds: kinds}, "sftp.path", "absolute"},
			"a port out of range":       {access.ExportDestination{Name: "x", SFTP: &access.SFTPTarget{Host: "h", Port: 70000, Path: "/", CredentialID: cred.ID}, ExportKinds: kinds}, "sftp.port", "between 1 and 65535"},
			"a malformed host key":      {access.ExportDestination{Name: "x", SFTP: &access.SFTPTarget{Host: "h", Port: 22, Path: "/", HostKeySHA256: "md5:aa", CredentialID: cred.ID}, ExportKinds: kinds}, "sftp.host_key_sha256", "SHA256 fingerprint"},
			"an invalid bucket":         {access.ExportDestination{Name: "x", S3: &access.S3Target{Bucket: "Bad_Bucket", Region: "eu-west-1", CredentialID: cred.ID}, ExportKinds: kinds}, "s3.bucket", "not a valid bucket name"},
			"an invalid region":         {access.ExportDestination{Name: "x", S3: &access.S3Target{Bucket: "abc", Region: "Frankfurt", CredentialID: cred.ID}, ExportKinds: kinds}, "s3.region", "eu-central-1"},
			"an empty destination name": {access.ExportDestination{Name: "", SFTP: sftp(), ExportKinds: kinds}, "name", "must not be empty"},
		}
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				_, err := s.CreateExportDestination(ctx, tc.d)
				assertFieldError(t, err, tc.field, tc.words)
			})
		}
		page, err := s.ListExportDestinations(ctx, access.ListOptions{})
		if err != nil || len(page.Items) != 0 {
			t.Fatalf("refused creates must store nothing: %+v, %v", page, err)
		}
	})
}

func TestExportDestinationNamesAreUniqueRegardlessOfCase(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		cred := mustCreateCredential(t, s, "sftp_prod", "x")
		first := mustCreateDestination(t, s, "Warehouse", cred.ID)
		_, err := s.CreateExportDestination(t.Context(), access.ExportDestination{
			Name: "WAREHOUSE", SFTP: first.SFTP, ExportKinds: first.ExportKinds,
		})
		assertConflict(t, "CreateExportDestination", err, first.ID)
	})
}
