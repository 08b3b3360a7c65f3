package access

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Field limits the platform enforces.
const (
	MaxNameLength        = 128
	MaxDescriptionLength = 1024
)

// CheckName validates a display name: 1-128 characters, not blank, no
// leading or trailing white space (which would look identical in the console
// yet differ in configuration).
func CheckName(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case strings.TrimSpace(name) == "":
		return "must not be empty"
	case n > MaxNameLength:
		return fmt.Sprintf("must be at most %d characters, got %d", MaxNameLength, n)
	case strings.TrimSpace(name) != name:
		return "must not start or end with white space"
	}
	return ""
}

// CheckPermissionKeys records a field error for every key not in the catalog.
func (c *Catalog) CheckPermissionKeys(verr *ValidationError, field string, keys []string) {
	for _, k := range keys {
		if _, ok := c.Lookup(k); !ok {
			verr.Add(field, "%s", c.UnknownKeyMessage(k))
		}
	}
}

// ValidateRole checks the fields a caller sets on a role and returns a
// *ValidationError naming each bad field, or nil.
func (c *Catalog) ValidateRole(r Role) error {
	verr := &ValidationError{Kind: "role"}
	if msg := CheckName(r.Name); msg != "" {
		verr.Add("name", "%s", msg)
	}
	checkDescription(verr, r.Description)
	if len(r.Permissions) == 0 {
		verr.Add("permissions", "a role must grant at least one permission")
	}
	c.CheckPermissionKeys(verr, "permissions", r.Permissions)
	return verr.OrNil()
}

// DeriveRole fills the fields of r that follow from its permissions: the
// permissions sorted and de-duplicated, their closure and sensitivity.
func (c *Catalog) DeriveRole(r Role) Role {
	r.Permissions = sortedUnique(r.Permissions)
	r.EffectivePermissions = c.Closure(r.Permissions)
	r.Sensitive = c.AnySensitive(r.EffectivePermissions)
	return r
}

// NameKey is the form in which names are compared for uniqueness: the
// platform treats names (and emails) case-insensitively.
func NameKey(name string) string { return strings.ToLower(name) }

func sortedUnique[T ~string](in []T) []T {
	out := append([]T(nil), in...)
	slices.Sort(out)
	j := 0
	for i, s := range out {
		if i == 0 || s != out[j-1] {
			out[j] = s
			j++
		}
	}
	return out[:j]
}

// Identifier rules shared by masking columns and credential names.
var (
	identifierPattern     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	credentialNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	s3BucketPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	s3RegionPattern       = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	// OpenSSH prints host key fingerprints as SHA256:<43 chars of unpadded base64>.
	hostKeySHA256Pattern = regexp.MustCompile(`^SHA256:[A-Za-z0-9+/]{43}$`)
	hostnamePattern      = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

// MaxEmailLength is the longest address SMTP can carry.
const MaxEmailLength = 254

// CheckEmail accepts a bare address (no display name, no angle brackets).
func CheckEmail(email string) string {
	if len(email) > MaxEmailLength {
		return fmt.Sprintf("must be at most %d characters", MaxEmailLength)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return fmt.Sprintf("%q is not a valid email address (a bare address such as ada@example.com)", email)
	}
	return ""
}

// ValidateUser checks the fields a caller sets on a user. That the role
// exists is checked by the backend, which can see it.
func ValidateUser(u User) error {
	verr := &ValidationError{Kind: "user"}
	if msg := CheckEmail(u.Email); msg != "" {
		verr.Add("email", "%s", msg)
	}
	if msg := CheckName(u.DisplayName); msg != "" {
		verr.Add("display_name", "%s", msg)
	}
	if u.RoleID == "" {
		verr.Add("role_id", "must not be empty")
	}
	return verr.OrNil()
}

// CheckIdentifier accepts a table or column name: a letter or underscore,
// then letters, digits or underscores, at most 128 characters.
func CheckIdentifier(s string) string {
	if !identifierPattern.MatchString(s) {
		return fmt.Sprintf("%q is not an identifier: start with a letter or underscore, then letters, digits or underscores, at most 128 characters", s)
	}
	return ""
}

// MaskKinds lists every MaskKind, for validation and documentation.
var MaskKinds = []MaskKind{MaskFull, MaskPartial, MaskHash}

// ValidateMaskingColumn checks a masking column.
func ValidateMaskingColumn(c MaskingColumn) error {
	verr := &ValidationError{Kind: "masking column"}
	if msg := CheckIdentifier(c.Table); msg != "" {
		verr.Add("table", "%s", msg)
	}
	if msg := CheckIdentifier(c.Column); msg != "" {
		verr.Add("column", "%s", msg)
	}
	if !slices.Contains(MaskKinds, c.Mask) {
		verr.Add("mask", "must be one of %s, got %q", joinQuoted(MaskKinds), c.Mask)
	}
	checkDescription(verr, c.Description)
	return verr.OrNil()
}

// MaxAllowlistEntries bounds one list; the platform matches every request
// against every enabled list.
const MaxAllowlistEntries = 5000

// ValidateIPAllowlist checks a list and returns it with every CIDR in
// canonical form, entries sorted by CIDR. Duplicate CIDRs are refused (after
// canonicalisation: 10.0.0.1 and 10.0.0.1/32 are the same entry).
func ValidateIPAllowlist(l IPAllowlist) (IPAllowlist, error) {
	verr := &ValidationError{Kind: "IP allowlist"}
	if msg := CheckName(l.Name); msg != "" {
		verr.Add("name", "%s", msg)
	}
	checkDescription(verr, l.Description)
	if len(l.Entries) > MaxAllowlistEntries {
		verr.Add("entries", "at most %d entries, got %d", MaxAllowlistEntries, len(l.Entries))
	}
	seen := make(map[string]bool, len(l.Entries))
	entries := make([]AllowlistEntry, 0, len(l.Entries))
	for _, e := range l.Entries {
		cidr, err := CanonicalCIDR(e.CIDR)
		if err != nil {
			verr.Add("entries", "%s", err.Error())
			continue
		}
		if seen[cidr] {
			verr.Add("entries", "%s is listed more than once", cidr)
			continue
		}
		seen[cidr] = true
		checkDescription(verr, e.Description)
		entries = append(entries, AllowlistEntry{CIDR: cidr, Description: e.Description})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].CIDR < entries[j].CIDR })
	l.Entries = entries
	return l, verr.OrNil()
}

// CredentialReference is the placeholder the platform substitutes for a
// credential's secret during a transfer.
func CredentialReference(name string) string { return "{{credential." + name + "}}" }

// MaxSecretLength bounds a transfer credential's secret (an SSH private key
// fits comfortably).
const MaxSecretLength = 16 * 1024

// ValidateTransferCredential checks a credential. creating says whether the
// secret is required (an update may keep the stored one). Messages never
// quote the secret.
func ValidateTransferCredential(c TransferCredential, creating bool) error {
	verr := &ValidationError{Kind: "transfer credential"}
	if !credentialNamePattern.MatchString(c.Name) {
		verr.Add("name", "%q must be 1-64 letters, digits, '_' or '-' (it forms the placeholder %s)", c.Name, CredentialReference("<name>"))
	}
	if msg := CheckName(c.Username); msg != "" {
		verr.Add("username", "%s", msg)
	}
	switch {
	case creating && c.Secret == "":
		verr.Add("secret_wo", "a new credential needs a secret")
	case len(c.Secret) > MaxSecretLength:
		verr.Add("secret_wo", "must be at most %d bytes", MaxSecretLength)
	}
	return verr.OrNil()
}

// ValidateExportDestination checks a destination's own fields; that its
// credential exists is checked by the backend. It returns d with Type set
// from whichever target is present.
func ValidateExportDestination(d ExportDestination) (ExportDestination, error) {
	verr := &ValidationError{Kind: "export destination"}
	if msg := CheckName(d.Name); msg != "" {
		verr.Add("name", "%s", msg)
	}
	switch {
	case (d.SFTP == nil) == (d.S3 == nil):
		verr.Add("sftp", "exactly one of sftp and s3 must be set")
	case d.SFTP != nil:
		d.Type = DestinationSFTP
		s := d.SFTP
		if !hostnamePattern.MatchString(s.Host) || len(s.Host) > 253 {
			verr.Add("sftp.host", "%q is not a host name or IP address", s.Host)
		}
		if s.Port < 1 || s.Port > 65535 {
			verr.Add("sftp.port", "must be between 1 and 65535, got %d", s.Port)
		}
		if !strings.HasPrefix(s.Path, "/") {
			verr.Add("sftp.path", "must be an absolute path starting with /, got %q", s.Path)
		}
		if s.HostKeySHA256 != "" && !hostKeySHA256Pattern.MatchString(s.HostKeySHA256) {
			verr.Add("sftp.host_key_sha256", "must be an OpenSSH SHA256 fingerprint (SHA256: then 43 base64 characters, as ssh-keygen -lf prints), got %q", s.HostKeySHA256)
		}
		if s.CredentialID == "" {
			verr.Add("sftp.credential_id", "must not be empty")
		}
	default:
		d.Type = DestinationS3
		s := d.S3
		if !s3BucketPattern.MatchString(s.Bucket) || strings.Contains(s.Bucket, "..") {
			verr.Add("s3.bucket", "%q is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)", s.Bucket)
		}
		if !s3RegionPattern.MatchString(s.Region) {
			verr.Add("s3.region", "%q is not a region name such as eu-central-1", s.Region)
		}
		if strings.HasPrefix(s.Prefix, "/") {
			verr.Add("s3.prefix", "must not start with /")
		}
		if s.CredentialID == "" {
			verr.Add("s3.credential_id", "must not be empty")
		}
	}
	if len(d.ExportKinds) == 0 {
		verr.Add("export_kinds", "at least one export kind is required")
	}
	for _, k := range d.ExportKinds {
		if !slices.Contains(ExportKinds, k) {
			verr.Add("export_kinds", "must be one of %s, got %q", joinQuoted(ExportKinds), k)
		}
	}
	d.ExportKinds = sortedUnique(d.ExportKinds)
	return d, verr.OrNil()
}

// ValidateSecuritySettings checks the settings and returns them with the
// IdP certificate's expiry filled in.
func ValidateSecuritySettings(s SecuritySettings) (SecuritySettings, error) {
	verr := &ValidationError{Kind: "security settings"}
	if s.SessionTimeoutMinutes < MinSessionTimeoutMinutes || s.SessionTimeoutMinutes > MaxSessionTimeoutMinutes {
		verr.Add("session_timeout_minutes", "must be between %d and %d, got %d", MinSessionTimeoutMinutes, MaxSessionTimeoutMinutes, s.SessionTimeoutMinutes)
	}
	sso := &s.SSO
	sso.IdPCertificateExpiresAt = nil
	if sso.IdPSSOURL != "" {
		if u, err := url.Parse(sso.IdPSSOURL); err != nil || u.Scheme != "https" || u.Host == "" {
			verr.Add("sso.idp_sso_url", "must be an https:// URL, got %q", sso.IdPSSOURL)
		}
	}
	if sso.IdPCertificatePEM != "" {
		cert, err := ParseCertificatePEM(sso.IdPCertificatePEM)
		if err != nil {
			verr.Add("sso.idp_certificate_pem", "%s", err.Error())
		} else {
			notAfter := cert.NotAfter.UTC()
			sso.IdPCertificateExpiresAt = &notAfter
		}
	}
	if sso.Enabled {
		if sso.IdPEntityID == "" {
			verr.Add("sso.idp_entity_id", "is required when SSO is enabled")
		}
		if sso.IdPSSOURL == "" {
			verr.Add("sso.idp_sso_url", "is required when SSO is enabled")
		}
		if sso.IdPCertificatePEM == "" {
			verr.Add("sso.idp_certificate_pem", "is required when SSO is enabled")
		}
	}
	if sso.Enforce && !sso.Enabled {
		verr.Add("sso.enforce", "SSO cannot be enforced unless it is enabled with a valid IdP configuration")
	}
	return s, verr.OrNil()
}

// ParseCertificatePEM parses exactly one PEM "CERTIFICATE" block.
func ParseCertificatePEM(s string) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("must be a PEM-encoded X.509 certificate (-----BEGIN CERTIFICATE-----)")
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		return nil, fmt.Errorf("must hold exactly one certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("is not a valid X.509 certificate: %w", err)
	}
	return cert, nil
}

func checkDescription(verr *ValidationError, description string) {
	if n := utf8.RuneCountInString(description); n > MaxDescriptionLength {
		verr.Add("description", "must be at most %d characters, got %d", MaxDescriptionLength, n)
	}
}

func joinQuoted[T ~string](values []T) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(quoted, ", ")
}
