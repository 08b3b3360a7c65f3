package access

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Field limits the platform enforces.
const (
	MaxNameLength        = 128
	MaxDescriptionLength = 1024
)

// CheckName validates a display name: 1-128 characters, not blank, no
// leading or trailing white space (which would look identical in the console
// yet differ in configuration), and no control or format characters
// (Unicode categories Cc and Cf: NUL, line breaks, tabs, zero-width spaces
// and joiners, bidirectional overrides, the byte order mark, soft hyphens),
// which are invisible or reorder the text around them, so that two names
// that look the same could differ. The message names the first such
// character by code point and its 1-based position in characters.
func CheckName(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case strings.TrimSpace(name) == "":
		return "must not be empty"
	case n > MaxNameLength:
		return fmt.Sprintf("must be at most %d characters, got %d", MaxNameLength, n)
	case strings.TrimSpace(name) != name:
		return "must not start or end with white space"
	}
	pos := 0
	for _, r := range name {
		pos++
		if unicode.In(r, unicode.Cc, unicode.Cf) {
			return fmt.Sprintf("must not contain control or format characters (%U at position %d)", r, pos)
		}
	}
	return ""
}

// systemRoleNames are the names the platform reserves for its system roles.
// ParseCatalog accepts no other system role, so these are all of them.
var systemRoleNames = []struct{ id, name, key string }{
	{FullAdminRoleID, FullAdminRoleName, NameKey(FullAdminRoleName)},
	{ReadOnlyRoleID, ReadOnlyRoleName, NameKey(ReadOnlyRoleName)},
}

// reservedRoleName returns the system role whose name is name under NameKey
// equality (so in any letter case or compatibility form), if any.
func reservedRoleName(name string) (id, systemName string, ok bool) {
	key := NameKey(name)
	for _, sr := range systemRoleNames {
		if key == sr.key {
			return sr.id, sr.name, true
		}
	}
	return "", "", false
}

func reservedRoleNameMessage(systemName string) string {
	return fmt.Sprintf("%q is the name of a system role; system roles cannot be created or renamed to, choose another name", systemName)
}

// CheckRoleName validates the name of a custom role: CheckName, and not the
// name of a system role in any letter case or compatibility form, since
// names are unique under NameKey and the system roles always hold theirs.
func CheckRoleName(name string) string {
	if msg := CheckName(name); msg != "" {
		return msg
	}
	if _, systemName, ok := reservedRoleName(name); ok {
		return reservedRoleNameMessage(systemName)
	}
	return ""
}

// CheckPermissionKeys records a field error for every key not in the catalog,
// naming the first maxUnknownKeysNamed and counting the rest: each named key
// costs a search for the closest catalog key, and a 1 MiB request can hold
// thousands.
func (c *Catalog) CheckPermissionKeys(verr *ValidationError, field string, keys []string) {
	unknown := 0
	for _, k := range keys {
		if _, ok := c.Lookup(k); ok {
			continue
		}
		if unknown++; unknown <= maxUnknownKeysNamed {
			verr.Add(field, "%s", c.UnknownKeyMessage(k))
		}
	}
	if more := unknown - maxUnknownKeysNamed; more > 0 {
		verr.Add(field, "and %d more unknown permission keys", more)
	}
}

// maxUnknownKeysNamed is how many unknown keys one request's errors name.
const maxUnknownKeysNamed = 10

// ValidateRole checks the fields a caller sets on a role and returns a
// *ValidationError naming each bad field, or nil. The name follows
// CheckRoleName, except that a system role (r.ID) keeps its own name: a
// write to a system role is refused by the backend as read-only, which says
// more than that its name is taken.
func (c *Catalog) ValidateRole(r Role) error {
	verr := &ValidationError{Kind: "role"}
	if msg := CheckName(r.Name); msg != "" {
		verr.Add("name", "%s", msg)
	} else if id, systemName, ok := reservedRoleName(r.Name); ok && id != r.ID {
		verr.Add("name", "%s", reservedRoleNameMessage(systemName))
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

// NameKey is the form in which names (and emails) are compared for
// uniqueness: Unicode compatibility forms and letter case do not count, so
// "Ｆｕｌｌ Ａｄｍｉｎ" (fullwidth), "FULL ADMIN" and "full admin" share a
// key. It is NFKC normalisation then full case folding ("ß" and "SS" both
// become "ss"). Pure ASCII, the common case, is already in NFKC and folds
// as strings.ToLower does, so it takes that cheaper path.
//
// Stored keys (the name_key and email_key columns) were computed by this
// function; changing it needs a migration that recomputes them, as
// migration 3 of the store did when NFKC was added.
func NameKey(name string) string {
	if isASCII(name) {
		return strings.ToLower(name)
	}
	// A Caser may keep state between calls, so each call makes its own.
	folded := cases.Fold().String(norm.NFKC.String(name))
	return strings.Map(foldCherokee, folded)
}

// foldCherokee maps Cherokee small letters to their capitals, as Unicode's
// CaseFolding.txt does (the capitals were encoded first, and case folding is
// stable). golang.org/x/text/cases folds capitals to small letters and
// small letters to capitals instead, so without this a key would not be its
// own key.
func foldCherokee(r rune) rune {
	if (r >= 0xAB70 && r <= 0xABBF) || (r >= 0x13F8 && r <= 0x13FD) {
		return unicode.ToUpper(r)
	}
	return r
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

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
		// The field is the list's entries, not the list's own description:
		// an entry has no name of its own, so the message names its CIDR.
		if n := utf8.RuneCountInString(e.Description); n > MaxDescriptionLength {
			verr.Add("entries", "the description of %s must be at most %d characters, got %d", cidr, MaxDescriptionLength, n)
		}
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
	addIf(verr, "name", CheckCredentialName(c.Name))
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
		t := d.SFTP
		addIf(verr, "sftp.host", CheckHost(t.Host))
		if t.Port < 1 || t.Port > 65535 {
			verr.Add("sftp.port", "must be between 1 and 65535, got %d", t.Port)
		}
		addIf(verr, "sftp.path", CheckSFTPPath(t.Path))
		if t.HostKeySHA256 != "" {
			addIf(verr, "sftp.host_key_sha256", CheckHostKeySHA256(t.HostKeySHA256))
		}
		if t.CredentialID == "" {
			verr.Add("sftp.credential_id", "must not be empty")
		}
	default:
		d.Type = DestinationS3
		t := d.S3
		addIf(verr, "s3.bucket", CheckS3Bucket(t.Bucket))
		addIf(verr, "s3.region", CheckS3Region(t.Region))
		addIf(verr, "s3.prefix", CheckS3Prefix(t.Prefix))
		if t.CredentialID == "" {
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

// Messages of the SSO rules that span fields. The provider checks the same
// rules at plan time and says the same thing.
const (
	SSORequiredMessage = "is required when SSO is enabled"
	SSOEnforceMessage  = "cannot be true unless SSO is enabled with a complete IdP configuration " +
		"(sso.enabled = true with idp_entity_id, idp_sso_url and idp_certificate_pem)"
)

// ExpiredCertificateMessage says why SSO cannot be enforced with an IdP
// certificate that expired at notAfter.
func ExpiredCertificateMessage(notAfter time.Time) string {
	return fmt.Sprintf("expired on %s; SSO cannot be enforced with an expired IdP certificate, "+
		"because with password logins off nobody could sign in to replace it", notAfter.UTC().Format(time.RFC3339))
}

// The single-field checks below return "" for a valid value, else what is
// wrong with it. They are exported so that plan-time validators apply the
// very rules the platform enforces.

// CheckHost accepts a DNS host name or an IP address.
func CheckHost(host string) string {
	if _, err := netip.ParseAddr(host); err == nil {
		return ""
	}
	if len(host) > 253 || !hostnamePattern.MatchString(host) {
		return fmt.Sprintf("%q is not a host name or IP address", host)
	}
	return ""
}

// CheckSFTPPath accepts an absolute path.
func CheckSFTPPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return fmt.Sprintf("must be an absolute path starting with /, got %q", p)
	}
	return ""
}

// CheckHostKeySHA256 accepts an OpenSSH SHA256 host key fingerprint.
func CheckHostKeySHA256(fp string) string {
	if !hostKeySHA256Pattern.MatchString(fp) {
		return fmt.Sprintf("must be an OpenSSH SHA256 fingerprint (SHA256: then 43 base64 characters, as ssh-keygen -lf prints), got %q", fp)
	}
	return ""
}

// CheckS3Bucket accepts a bucket name by the S3 naming rules.
func CheckS3Bucket(b string) string {
	if !s3BucketPattern.MatchString(b) || strings.Contains(b, "..") {
		return fmt.Sprintf("%q is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens)", b)
	}
	return ""
}

// CheckS3Region accepts a region name such as eu-central-1.
func CheckS3Region(r string) string {
	if !s3RegionPattern.MatchString(r) {
		return fmt.Sprintf("%q is not a region name such as eu-central-1", r)
	}
	return ""
}

// CheckS3Prefix accepts a key prefix; it must not start with a slash, which
// S3 would keep as an empty first path segment.
func CheckS3Prefix(p string) string {
	if strings.HasPrefix(p, "/") {
		return "must not start with /"
	}
	return ""
}

// CheckCredentialName accepts a name that can form a placeholder.
func CheckCredentialName(name string) string {
	if !credentialNamePattern.MatchString(name) {
		return fmt.Sprintf("%q must be 1-64 letters, digits, '_' or '-' (it forms the placeholder %s)", name, CredentialReference("<name>"))
	}
	return ""
}

func addIf(verr *ValidationError, field, msg string) {
	if msg != "" {
		verr.Add(field, "%s", msg)
	}
}

// ValidateSecuritySettings checks the settings as of now and returns them
// with the IdP certificate's expiry filled in. The IdP fields may be set while
// SSO is off (to prepare a switch-over); enabling SSO needs all three, and
// enforcing it (which turns password logins off) also needs a certificate
// that has not expired, or a broken IdP would lock every user out.
func ValidateSecuritySettings(s SecuritySettings, now time.Time) (SecuritySettings, error) {
	verr := &ValidationError{Kind: "security settings"}
	if s.SessionTimeoutMinutes < MinSessionTimeoutMinutes || s.SessionTimeoutMinutes > MaxSessionTimeoutMinutes {
		verr.Add("session_timeout_minutes", "must be between %d and %d, got %d", MinSessionTimeoutMinutes, MaxSessionTimeoutMinutes, s.SessionTimeoutMinutes)
	}
	sso := &s.SSO
	sso.IdPCertificateExpiresAt = nil
	if sso.IdPSSOURL != "" {
		if msg := CheckHTTPSURL(sso.IdPSSOURL); msg != "" {
			verr.Add("sso.idp_sso_url", "%s", msg)
		}
	}
	if sso.IdPCertificatePEM != "" {
		cert, err := ParseCertificatePEM(sso.IdPCertificatePEM)
		if err != nil {
			verr.Add("sso.idp_certificate_pem", "%s", err.Error())
		} else {
			notAfter := cert.NotAfter.UTC()
			sso.IdPCertificateExpiresAt = &notAfter
			if sso.Enforce && now.After(notAfter) {
				verr.Add("sso.idp_certificate_pem", "%s", ExpiredCertificateMessage(notAfter))
			}
		}
	}
	if sso.Enabled {
		if strings.TrimSpace(sso.IdPEntityID) == "" {
			verr.Add("sso.idp_entity_id", SSORequiredMessage)
		}
		if sso.IdPSSOURL == "" {
			verr.Add("sso.idp_sso_url", SSORequiredMessage)
		}
		if sso.IdPCertificatePEM == "" {
			verr.Add("sso.idp_certificate_pem", SSORequiredMessage)
		}
	}
	if sso.Enforce && !sso.Enabled {
		verr.Add("sso.enforce", SSOEnforceMessage)
	}
	return s, verr.OrNil()
}

// CheckHTTPSURL accepts an absolute https:// URL with a host and no user
// information. Messages never quote a URL that may carry a password ('@'
// present), since they end up in logs.
func CheckHTTPSURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err == nil && u.User != nil:
		return "must not contain a user name or password"
	case (err != nil || u.Scheme != "https" || u.Host == "") && strings.Contains(s, "@"):
		return "must be an https:// URL with a host name and no user name or password"
	case err != nil || u.Scheme != "https" || u.Host == "":
		return fmt.Sprintf("must be an https:// URL, got %q", s)
	}
	return ""
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
