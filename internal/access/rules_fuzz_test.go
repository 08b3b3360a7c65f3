package access

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fuzz targets below feed the platform's rules arbitrary values. A rule
// must never panic; a refusal must be a *ValidationError (errors.Is
// ErrInvalid) whose every entry names a field of the object with a message;
// and each Validate* rule must refuse a field exactly when the single-field
// Check* rule the provider runs at plan time refuses it, so that plan time
// and apply time never disagree.

// fieldsOf returns how often err names each field, failing the test unless
// err is nil or a well-formed *ValidationError naming only allowed fields.
func fieldsOf(t *testing.T, err error, kind string, allowed ...string) map[string]int {
	t.Helper()
	got := map[string]int{}
	if err == nil {
		return got
	}
	var verr *ValidationError
	if !errors.As(err, &verr) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %T %v, want a *ValidationError", err, err)
	}
	if verr.Kind != kind || len(verr.Fields) == 0 {
		t.Fatalf("got kind %q with %d fields, want kind %q with at least one (%v)", verr.Kind, len(verr.Fields), kind, err)
	}
	for _, f := range verr.Fields {
		if !slices.Contains(allowed, f.Field) || f.Message == "" {
			t.Fatalf("field error %+v names no field of a %s (one of %v) or says nothing", f, kind, allowed)
		}
		if !strings.Contains(err.Error(), f.Field+": ") {
			t.Fatalf("Error() %q does not name the field %q", err.Error(), f.Field)
		}
		got[f.Field]++
	}
	return got
}

// agree fails unless the field is named exactly when check refuses value.
func agree(t *testing.T, fields map[string]int, field, value, checkMessage string) {
	t.Helper()
	if (fields[field] > 0) != (checkMessage != "") {
		t.Fatalf("%s %q: the rule names the field %d times, but the plan-time check says %q", field, value, fields[field], checkMessage)
	}
}

// FuzzCheckers runs every single-field check on any string: no panic, a
// verdict that does not change between calls, and a refusal that says
// something.
func FuzzCheckers(f *testing.F) {
	for _, seed := range []string{
		"", " ", "a", "ada@example.com", "Ada <ada@example.com>", "ada@[127.0.0.1]", "\"a b\"@example.com",
		"sftp.example.com", "10.0.0.1", "::1", "-bad-.example", "/exports", "exports",
		"SHA256:" + strings.Repeat("A", 43), "SHA256:" + strings.Repeat("A", 44),
		"my-bucket", "my..bucket", "eu-central-1", "us-gov-west-1", "/prefix", "prefix/",
		"sftp_prod", "{{credential.x}}", "https://idp.example.com/sso", "https://user:pw@idp.example.com",
		"http://idp.example.com", "https://", "customer_email", "1column", strings.Repeat("x", 129),
		"\x00", "\xff\xfe", "é",
		"Full\u200bAdmin", "\u202eniamdA", "\ufeffOps", "Ops\u00a0", "Ｆｕｌｌ Ａｄｍｉｎ", "Straße", "Ⅻ", "\u13a0\uab70",
	} {
		f.Add(seed)
	}
	checks := map[string]func(string) string{
		"CheckName": CheckName, "CheckRoleName": CheckRoleName, "CheckEmail": CheckEmail, "CheckIdentifier": CheckIdentifier,
		"CheckHost": CheckHost, "CheckSFTPPath": CheckSFTPPath, "CheckHostKeySHA256": CheckHostKeySHA256,
		"CheckS3Bucket": CheckS3Bucket, "CheckS3Region": CheckS3Region, "CheckS3Prefix": CheckS3Prefix,
		"CheckCredentialName": CheckCredentialName, "CheckHTTPSURL": CheckHTTPSURL,
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, check := range checks {
			msg := check(s)
			if again := check(s); again != msg {
				t.Fatalf("%s(%q) said %q, then %q", name, s, msg, again)
			}
			if msg != "" && strings.TrimSpace(msg) == "" {
				t.Fatalf("%s(%q) refused with a blank message", name, s)
			}
		}
		// A URL that may carry a password is never quoted back.
		if msg := CheckHTTPSURL(s); strings.Contains(s, "@") && len(s) > 1 && strings.Contains(msg, s) {
			t.Fatalf("CheckHTTPSURL(%q) quotes a value that may hold a password: %q", s, msg)
		}
		// Names and emails are unique by NameKey: a key must be its own key,
		// or a stored key would not find itself.
		if k := NameKey(s); NameKey(k) != k {
			t.Fatalf("NameKey(%q) = %q, but NameKey(%q) = %q", s, k, k, NameKey(k))
		}
		// Compatibility forms share a key, and ASCII keys are what the
		// lower-casing NameKey stored before NFKC (migration 3 keeps them).
		if k, nk := NameKey(s), NameKey(norm.NFKC.String(s)); k != nk {
			t.Fatalf("NameKey(%q) = %q, but the key of its NFKC form is %q", s, k, nk)
		}
		if isASCII(s) && NameKey(s) != strings.ToLower(s) {
			t.Fatalf("NameKey(%q) = %q, want the lower-case ASCII %q", s, NameKey(s), strings.ToLower(s))
		}
		checkNameVerdict(t, s)
		if _, err := CanonicalCIDR(s); err != nil && err.Error() == "" {
			t.Fatalf("CanonicalCIDR(%q) refused with an empty message", s)
		}
		if cert, err := ParseCertificatePEM(s); (cert == nil) == (err == nil) {
			t.Fatalf("ParseCertificatePEM(%q) = %v, %v: want exactly one", s, cert, err)
		}
	})
}

// checkNameVerdict fails unless what CheckName and CheckRoleName accept
// follows the rules they document.
func checkNameVerdict(t *testing.T, s string) {
	t.Helper()
	if CheckName(s) != "" {
		if CheckRoleName(s) != CheckName(s) {
			t.Fatalf("CheckRoleName(%q) = %q, want CheckName's %q", s, CheckRoleName(s), CheckName(s))
		}
		return
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > MaxNameLength {
		t.Fatalf("CheckName accepted %q of %d characters", s, n)
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		t.Fatalf("CheckName accepted %q, which starts or ends with white space", s)
	}
	for _, r := range s {
		if unicode.In(r, unicode.Cc, unicode.Cf) {
			t.Fatalf("CheckName accepted %q, which holds %U", s, r)
		}
	}
	k := NameKey(s)
	reserved := k == NameKey(FullAdminRoleName) || k == NameKey(ReadOnlyRoleName)
	if (CheckRoleName(s) != "") != reserved {
		t.Fatalf("CheckRoleName(%q) = %q, but the key %q is a system role's: %v", s, CheckRoleName(s), k, reserved)
	}
}

func FuzzValidateRole(f *testing.F) {
	f.Add("Analyst", "", "campaign.view", "analytics.insights")
	f.Add("", strings.Repeat("d", 1025), "campaign.veiw", "")
	f.Add(" padded", "x", "", "")
	f.Add("Ｒｅａｄ Ｏｎｌｙ", "", "campaign.view", "")
	c := DefaultCatalog()
	f.Fuzz(func(t *testing.T, name, description, key1, key2 string) {
		var perms []string
		for _, k := range []string{key1, key2} {
			if k != "" {
				perms = append(perms, k)
			}
		}
		fields := fieldsOf(t, c.ValidateRole(Role{Name: name, Description: description, Permissions: perms}),
			"role", "name", "description", "permissions")
		agree(t, fields, "name", name, CheckRoleName(name))
		unknown := 0
		for _, k := range perms {
			if _, ok := c.Lookup(k); !ok {
				unknown++
			}
		}
		unknown = min(unknown, maxUnknownKeysNamed) // two keys: never more
		if len(perms) == 0 {
			unknown++ // "at least one permission"
		}
		if fields["permissions"] != unknown {
			t.Fatalf("permissions %q: named %d times, want once per unknown key (%d)", perms, fields["permissions"], unknown)
		}
	})
}

func FuzzValidateUser(f *testing.F) {
	f.Add("ada@example.com", "Ada", "rol_1")
	f.Add("Ada <ada@example.com>", "", "")
	f.Add(strings.Repeat("a", 250)+"@example.com", " x", "r")
	f.Fuzz(func(t *testing.T, email, displayName, roleID string) {
		fields := fieldsOf(t, ValidateUser(User{Email: email, DisplayName: displayName, RoleID: roleID}),
			"user", "email", "display_name", "role_id")
		agree(t, fields, "email", email, CheckEmail(email))
		agree(t, fields, "display_name", displayName, CheckName(displayName))
		if (fields["role_id"] > 0) != (roleID == "") {
			t.Fatalf("role_id %q: named %d times", roleID, fields["role_id"])
		}
	})
}

func FuzzValidateMaskingColumn(f *testing.F) {
	f.Add("customers", "email", "full", "")
	f.Add("1table", "", "blur", strings.Repeat("d", 1025))
	f.Fuzz(func(t *testing.T, table, column, mask, description string) {
		fields := fieldsOf(t, ValidateMaskingColumn(MaskingColumn{Table: table, Column: column, Mask: MaskKind(mask), Description: description}),
			"masking column", "table", "column", "mask", "description")
		agree(t, fields, "table", table, CheckIdentifier(table))
		agree(t, fields, "column", column, CheckIdentifier(column))
	})
}

func FuzzValidateIPAllowlist(f *testing.F) {
	f.Add("Office", "10.0.0.0/8", "10.0.0.1", "")
	f.Add("Office", "10.0.0.1", "10.0.0.1/32", "dup")
	f.Add("", "10.1.2.3/24", "::ffff:1.2.3.4", "")
	f.Add("VPN", "2001:db8::/32", "2001:0db8::/32", strings.Repeat("d", 1025))
	f.Fuzz(func(t *testing.T, name, cidr1, cidr2, description string) {
		in := IPAllowlist{Name: name, Enabled: true, Entries: []AllowlistEntry{{CIDR: cidr1}, {CIDR: cidr2, Description: description}}}
		out, err := ValidateIPAllowlist(in)
		fields := fieldsOf(t, err, "IP allowlist", "name", "description", "entries")
		agree(t, fields, "name", name, CheckName(name))
		c1, err1 := CanonicalCIDR(cidr1)
		c2, err2 := CanonicalCIDR(cidr2)
		if err1 != nil || err2 != nil || c1 == c2 {
			if fields["entries"] == 0 {
				t.Fatalf("entries %q, %q: invalid or one network twice, yet accepted", cidr1, cidr2)
			}
			return
		}
		if err != nil && fields["entries"] > 0 && len([]rune(description)) <= MaxDescriptionLength {
			t.Fatalf("entries %q, %q: distinct valid networks refused: %v", cidr1, cidr2, err)
		}
		if err != nil {
			return
		}
		// What is stored is canonical, sorted, and the same networks.
		want := []string{c1, c2}
		slices.Sort(want)
		got := []string{out.Entries[0].CIDR, out.Entries[1].CIDR}
		if !slices.Equal(got, want) {
			t.Fatalf("entries %q, %q stored as %q, want %q", cidr1, cidr2, got, want)
		}
		if again, err := ValidateIPAllowlist(out); err != nil || !slices.Equal(again.Entries, out.Entries) {
			t.Fatalf("the stored form is not a fixed point: %v, %v", again.Entries, err)
		}
	})
}

func FuzzValidateTransferCredential(f *testing.F) {
	f.Add("sftp_prod", "exporter", "s3cr3t", true)
	f.Add("bad name", "", "", true)
	f.Add("x", "u", "", false)
	f.Fuzz(func(t *testing.T, name, username, secret string, creating bool) {
		err := ValidateTransferCredential(TransferCredential{Name: name, Username: username, Secret: secret}, creating)
		fields := fieldsOf(t, err, "transfer credential", "name", "username", "secret_wo")
		agree(t, fields, "name", name, CheckCredentialName(name))
		agree(t, fields, "username", username, CheckName(username))
		wantSecretError := (creating && secret == "") || len(secret) > MaxSecretLength
		if (fields["secret_wo"] > 0) != wantSecretError {
			t.Fatalf("a %d-byte secret (creating %v): named %d times", len(secret), creating, fields["secret_wo"])
		}
		// The message depends on the secret's length only: it never quotes
		// the secret, whatever else is wrong.
		other := strings.Repeat("x", len(secret))
		if other == secret {
			other = strings.Repeat("y", len(secret))
		}
		otherErr := ValidateTransferCredential(TransferCredential{Name: name, Username: username, Secret: other}, creating)
		if errText(err) != errText(otherErr) {
			t.Fatalf("the error depends on the secret's content: %v", err)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func FuzzValidateExportDestination(f *testing.F) {
	f.Add(true, "Warehouse", "sftp.example.com", 22, "/exports", "", "cred_1", "raw_data_export")
	f.Add(false, "Lake", "my-bucket", 0, "eu-central-1", "prefix/", "cred_1", "report")
	f.Add(true, "", "-bad-", 70000, "exports", "SHA256:x", "", "nope")
	f.Add(false, "Lake", "My_Bucket", 0, "central", "/prefix", "", "")
	f.Fuzz(func(t *testing.T, sftp bool, name, hostOrBucket string, port int, pathOrRegion, keyOrPrefix, credentialID, kind string) {
		d := ExportDestination{Name: name}
		if kind != "" {
			d.ExportKinds = []ExportKind{ExportKind(kind)}
		}
		if sftp {
			d.SFTP = &SFTPTarget{Host: hostOrBucket, Port: port, Path: pathOrRegion, HostKeySHA256: keyOrPrefix, CredentialID: credentialID}
		} else {
			d.S3 = &S3Target{Bucket: hostOrBucket, Region: pathOrRegion, Prefix: keyOrPrefix, CredentialID: credentialID}
		}
		out, err := ValidateExportDestination(d)
		fields := fieldsOf(t, err, "export destination", "name", "sftp", "export_kinds",
			"sftp.host", "sftp.port", "sftp.path", "sftp.host_key_sha256", "sftp.credential_id",
			"s3.bucket", "s3.region", "s3.prefix", "s3.credential_id")
		agree(t, fields, "name", name, CheckName(name))
		agree(t, fields, "export_kinds", kind, map[bool]string{true: "bad", false: ""}[!slices.Contains(ExportKinds, ExportKind(kind))])
		if sftp {
			if out.Type != DestinationSFTP {
				t.Fatalf("Type = %q, want sftp", out.Type)
			}
			agree(t, fields, "sftp.host", hostOrBucket, CheckHost(hostOrBucket))
			agree(t, fields, "sftp.path", pathOrRegion, CheckSFTPPath(pathOrRegion))
			if keyOrPrefix != "" {
				agree(t, fields, "sftp.host_key_sha256", keyOrPrefix, CheckHostKeySHA256(keyOrPrefix))
			}
			return
		}
		if out.Type != DestinationS3 {
			t.Fatalf("Type = %q, want s3", out.Type)
		}
		agree(t, fields, "s3.bucket", hostOrBucket, CheckS3Bucket(hostOrBucket))
		agree(t, fields, "s3.region", pathOrRegion, CheckS3Region(pathOrRegion))
		agree(t, fields, "s3.prefix", keyOrPrefix, CheckS3Prefix(keyOrPrefix))
	})
}

func FuzzValidateSecuritySettings(f *testing.F) {
	f.Add(1440, true, "https://idp.example.com/sso", "urn:idp", "", false)
	f.Add(4, false, "http://user:pw@idp", "", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", true)
	f.Add(10081, true, "", " ", "not a pem", true)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, timeout int, enabled bool, ssoURL, entityID, certPEM string, enforce bool) {
		in := SecuritySettings{SessionTimeoutMinutes: timeout, SSO: SSOSettings{
			Enabled: enabled, IdPSSOURL: ssoURL, IdPEntityID: entityID, IdPCertificatePEM: certPEM, Enforce: enforce,
		}}
		_, err := ValidateSecuritySettings(in, now)
		fields := fieldsOf(t, err, "security settings", "session_timeout_minutes",
			"sso.idp_sso_url", "sso.idp_certificate_pem", "sso.idp_entity_id", "sso.enforce")
		if (fields["session_timeout_minutes"] > 0) != (timeout < MinSessionTimeoutMinutes || timeout > MaxSessionTimeoutMinutes) {
			t.Fatalf("session_timeout_minutes %d: named %d times", timeout, fields["session_timeout_minutes"])
		}
		if ssoURL != "" && CheckHTTPSURL(ssoURL) != "" && fields["sso.idp_sso_url"] == 0 {
			t.Fatalf("sso.idp_sso_url %q is refused by the check but accepted by the rule", ssoURL)
		}
		if (fields["sso.enforce"] > 0) != (enforce && !enabled) {
			t.Fatalf("sso.enforce %v with enabled %v: named %d times", enforce, enabled, fields["sso.enforce"])
		}
		if err != nil && strings.Contains(ssoURL, "@") && len(ssoURL) > 1 && strings.Contains(err.Error(), ssoURL) {
			t.Fatalf("the error quotes a URL that may carry a password: %v", err)
		}
	})
}
