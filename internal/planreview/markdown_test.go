package planreview

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func render(t *testing.T, r Report) string {
	t.Helper()
	var sb strings.Builder
	if err := RenderMarkdown(&sb, r); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	checkWellFormed(t, out)
	if again := renderMarkdown(r, markdownBudget); again != out {
		t.Fatal("two renderings of the same report differ")
	}
	return out
}

// checkWellFormed asserts what every comment must satisfy: under the size
// bound, <details> balanced, every table row with as many cells as its
// header, and no HTML but the tags the renderer writes.
func checkWellFormed(t *testing.T, out string) {
	t.Helper()
	if len(out) > markdownBudget {
		t.Errorf("comment is %d bytes, over the %d budget", len(out), markdownBudget)
	}
	if o, c := strings.Count(out, "<details>"), strings.Count(out, "</details>"); o != c {
		t.Errorf("%d <details> but %d </details>", o, c)
	}
	lines := strings.Split(out, "\n")
	cells := 0
	for i, line := range lines {
		if !strings.HasPrefix(line, "|") {
			cells = 0
			continue
		}
		n := unescapedPipes(line)
		if cells == 0 {
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "|---") {
				t.Errorf("line %d is a table row without a header: %q", i+1, line)
				continue
			}
			cells = n
		}
		if n != cells {
			t.Errorf("line %d has %d cell separators, its header %d: %q", i+1, n, cells, line)
		}
	}
	// Every "<" the output holds starts one of the renderer's own tags.
	rest := out
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		rest = rest[i:]
		ok := false
		for _, tag := range []string{"<details>", "</details>", "<summary>", "</summary>", "<br>", "<sub>", "</sub>"} {
			if strings.HasPrefix(rest, tag) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("unexpected HTML: %.40q", rest)
		}
		rest = rest[1:]
	}
}

// unescapedPipes counts the | that separate cells: those not preceded by
// an odd number of backslashes.
func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		if line[i] != '|' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && line[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			n++
		}
	}
	return n
}

func assertContains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}

func assertNotContains(t *testing.T, out string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(out, u) {
			t.Errorf("output holds %q", u)
		}
	}
}

func intp(n int) *int { return &n }

// openedAround is what letting in the whole of IPv4 opens when p was
// already allowed: one prefix per bit of p, sorted.
func openedAround(p netip.Prefix) []string {
	var out []netip.Prefix
	a := p.Addr().As4()
	for bits := 1; bits <= p.Bits(); bits++ {
		b := a
		b[(bits-1)/8] ^= 0x80 >> ((bits - 1) % 8)
		out = append(out, netip.PrefixFrom(netip.AddrFrom4(b), bits).Masked())
	}
	slices.SortFunc(out, func(x, y netip.Prefix) int { return x.Addr().Compare(y.Addr()) })
	var s []string
	for _, q := range out {
		s = append(s, q.String())
	}
	return s
}

func cleanReport() Report {
	return Report{SchemaVersion: SchemaVersion, TerraformVersion: "1.11.4", HighestSeverity: "none", Backend: "none"}
}

// realisticReport: a new user with a custom sensitive role, a role gaining
// data.export_data held by 3 people (one of them outside the
// configuration), an allowlist opened to 0.0.0.0/1 + 128.0.0.0/1, a masked
// column destroyed and two-factor authentication turned off.
func realisticReport() Report {
	exporter := func(name, email, addr string) Principal {
		return Principal{
			Email: email, DisplayName: name, UserID: "usr_" + strings.ToLower(name[:3]), Address: addr, Managed: addr != "",
			Before:          []string{"campaign.view", "data.view_data", "data.view_segment_table"},
			After:           []string{"campaign.view", "data.export_data", "data.view_data", "data.view_segment_table"},
			Gained:          []string{"data.export_data"},
			SensitiveGained: []string{"data.export_data"},
			Reasons:         []string{`role "Exporters" gains data.export_data`},
		}
	}
	return Report{
		SchemaVersion: SchemaVersion, TerraformVersion: "1.11.4", HighestSeverity: SeverityHigh, Backend: "rest",
		Principals: []Principal{
			exporter("Ada Lovelace", "ada@example.com", "engage_user.ada"),
			{
				Email: "grace@example.com", DisplayName: "Grace Hopper", Address: "engage_user.grace", Managed: true,
				After:           []string{"campaign.view", "data.export_data", "data.personal_info", "data.view_data", "data.view_segment_table"},
				Gained:          []string{"campaign.view", "data.export_data", "data.personal_info", "data.view_data", "data.view_segment_table"},
				SensitiveGained: []string{"data.export_data", "data.personal_info"},
				Reasons:         []string{`created with role "PII Analysts"`},
			},
			exporter("Ken Thompson", "ken@example.com", ""),
			exporter("Margaret Hamilton", "margaret@example.com", "engage_user.margaret"),
		},
		Roles: []RoleDelta{
			{
				Name: "Exporters", RoleID: "rol_exporters", Address: "engage_role.exporters", Action: "update",
				Before:          []string{"campaign.view", "data.view_data", "data.view_segment_table"},
				After:           []string{"campaign.view", "data.export_data", "data.view_data", "data.view_segment_table"},
				Gained:          []string{"data.export_data"},
				SensitiveBefore: false, SensitiveAfter: true,
				HoldersManaged: 2, HoldersAccount: intp(3),
			},
			{
				Name: "PII Analysts", Address: "engage_role.pii", Action: "create",
				After:          []string{"campaign.view", "data.export_data", "data.personal_info", "data.view_data", "data.view_segment_table"},
				Gained:         []string{"campaign.view", "data.export_data", "data.personal_info", "data.view_data", "data.view_segment_table"},
				SensitiveAfter: true, HoldersManaged: 1, HoldersAccount: intp(1),
			},
		},
		Network: Network{
			Managed: true,
			Before:  NetworkSide{Enforced: true, IPv4: FamilyAccess{Addresses: "256"}, IPv6: FamilyAccess{Addresses: "0"}},
			After:   NetworkSide{Enforced: true, IPv4: FamilyAccess{Addresses: "4294967296", Internet: true}, IPv6: FamilyAccess{Addresses: "0"}},
			Opened:  openedAround(netip.MustParsePrefix("203.0.113.0/24")),
			Lists: []AllowlistChange{{
				Name: "office", Address: "engage_ip_allowlist.office", Action: "update", EnabledBefore: true, EnabledAfter: true,
				Added: []string{"0.0.0.0/1", "128.0.0.0/1"},
			}},
		},
		Masking: []Masking{{Table: "contacts", Column: "email", Address: "engage_masking_column.email", MaskBefore: "full", Unmasked: true}},
		Settings: []Setting{
			{Name: "require_two_factor", Before: true, After: false, Weakened: true},
		},
		Findings: []Finding{
			{CheckSensitiveAccessGained, SeverityHigh, "ada@example.com", "engage_user.ada", "gains data.export_data through role \"Exporters\""},
			{CheckSensitiveAccessGained, SeverityHigh, "grace@example.com", "engage_user.grace", "gains data.export_data, data.personal_info through role \"PII Analysts\""},
			{CheckSensitiveAccessGained, SeverityHigh, "ken@example.com", "", "gains data.export_data through role \"Exporters\""},
			{CheckSensitiveAccessGained, SeverityHigh, "margaret@example.com", "engage_user.margaret", "gains data.export_data through role \"Exporters\""},
			{CheckNetworkOpenedToInternet, SeverityHigh, "network", "engage_ip_allowlist.office", "every IPv4 address may reach the console (0.0.0.0/1, 128.0.0.0/1)"},
			{CheckColumnUnmasked, SeverityHigh, "contacts.email", "engage_masking_column.email", "contacts.email is no longer masked (was full)"},
			{CheckTwoFactorDisabled, SeverityHigh, "security settings", "engage_security_settings.this", "require_two_factor goes from true to false"},
		},
	}
}

func TestRenderMarkdown(t *testing.T) {
	tests := []struct {
		name      string
		report    Report
		want      []string
		unwanted  []string
		wantLines []string // whole lines
	}{
		{
			name:      "clean plan",
			report:    cleanReport(),
			wantLines: []string{"## Engage access review: 🟢 no access change", "No access change: the plan changes no Engage user, role, allowlist, export, masking or security setting."},
			want:      []string{"Made by `terraform-provider-engage review-plan` from a Terraform 1.11.4 plan, with facts from the plan alone (no backend)."},
			unwanted:  []string{"###", "<details>", "|"},
		},
		{
			name:   "realistic",
			report: realisticReport(),
			wantLines: []string{
				"## Engage access review: 🔴 high",
				"**7 findings** (7 high) · 4 people gain access · changes to 2 roles, the network, masking and security settings.",
				"### Findings",
				"- 🔴 **high** `network_opened_to_internet` **network** (`engage_ip_allowlist.office`): every IPv4 address may reach the console (0.0.0.0/1, 128.0.0.0/1)",
				"### People whose access changes (4)",
				"| Person | Change | Why |",
				// Riskiest first: the new user gains two sensitive permissions.
				"| **Grace Hopper**<br>grace@example.com | 🔴 sensitive: `data.export_data`, `data.personal_info`<br>gains `campaign.view`, `data.export_data`, `data.personal_info`, `data.view_data`, `data.view_segment_table` | created with role \"PII Analysts\" |",
				"| **Ken Thompson**<br>ken@example.com<br>_not in this configuration_ | 🔴 sensitive: `data.export_data`<br>gains `data.export_data` | role \"Exporters\" gains data.export\\_data |",
				"| **Exporters**<br>`engage_role.exporters`<br>🔴 now sensitive | changed | gains `data.export_data` | 2 in this configuration<br>3 on the account |",
				"| IPv4 addresses | 256 | 🔴 4,294,967,296 — every IPv4 address |",
				"<details><summary>24 ranges opened, 0 closed</summary>",
				"| `0.0.0.0/1` | opened |",
				"| **office**<br>`engage_ip_allowlist.office` | changed | yes | adds `0.0.0.0/1`, `128.0.0.0/1` |",
				"| **PII Analysts**<br>`engage_role.pii`<br>🔴 sensitive | created | gains `campaign.view`, `data.export_data`, `data.personal_info`, `data.view_data`, `data.view_segment_table` | 1 in this configuration<br>1 on the account |",
				"| `contacts.email` | full | not masked | 🔴 no longer masked |",
				"| `require_two_factor` | on | off | ⚠️ weaker |",
			},
			unwanted: []string{"usr_", "rol_exporters", "left out"},
		},
		{
			name: "long sections collapse, people and findings after ten rows",
			report: func() Report {
				r := cleanReport()
				for i := range 12 {
					r.Principals = append(r.Principals, Principal{
						Email: fmt.Sprintf("user%02d@example.com", i), DisplayName: fmt.Sprintf("User %02d", i), Managed: true,
						Lost: []string{"campaign.view"}, Reasons: []string{"disabled"},
					})
					r.Findings = append(r.Findings, Finding{Check: CheckAdminCountExceeded, Severity: SeverityMedium, Subject: fmt.Sprintf("user%02d@example.com", i)})
					r.Masking = append(r.Masking, Masking{Table: "contacts", Column: fmt.Sprintf("c%02d", i), MaskBefore: "full", MaskAfter: "partial", Weakened: true})
				}
				r.Findings = append(r.Findings, Finding{Check: CheckSessionTimeoutRaised, Severity: SeverityLow, Subject: "security settings"})
				r.Findings = append(r.Findings, Finding{Check: CheckFullAdminGranted, Severity: SeverityHigh, Subject: "root@example.com"})
				return r
			}(),
			wantLines: []string{
				"## Engage access review: 🔴 high",
				"**14 findings** (1 high, 12 medium, 1 low) · 12 people lose access · changes to masking.",
				// High first, however the report ordered them.
				"- 🔴 **high** `full_admin_granted` **root@example.com**",
				"<details><summary>4 more findings</summary>",
				"<details><summary>2 more people</summary>",
				"<details><summary>12 masked columns change</summary>",
				"| `contacts.c11` | full | partial | 🟠 weaker mask |",
			},
		},
		{
			name: "unresolved, uncertain and a backend to give",
			report: func() Report {
				r := cleanReport()
				r.Principals = []Principal{{
					Email: "new@example.com", Managed: true, Uncertain: true,
					Gained: []string{"data.export_data"}, SensitiveGained: []string{"data.export_data"},
					Reasons: []string{"role known only at apply"},
				}}
				r.Roles = []RoleDelta{{Name: "Ops", Action: "delete", Before: []string{"campaign.view"}, Lost: []string{"campaign.view"}}}
				r.Unresolved = []Unresolved{
					{Subject: "engage_user.new", Reason: UnresolvedUnknownAtPlan, Message: "role_id is known only at apply"},
					{Subject: "Ops", Reason: UnresolvedNeedsBackend, Message: "who else holds the role"},
				}
				r.Findings = []Finding{{Check: CheckAccessUnknownAtPlan, Severity: SeverityMedium, Subject: "new@example.com"}}
				return r
			}(),
			wantLines: []string{
				"## Engage access review: 🟠 medium",
				"**1 finding** (1 medium) · 1 person gains access · changes to 1 role · 2 facts not resolved.",
				"| new@example.com | 🔴 sensitive: `data.export_data`<br>gains `data.export_data` | role known only at apply<br>⚠️ _the role is known only at apply: worst case shown_ |",
				"| **Ops** | deleted | loses `campaign.view` | 0 in this configuration<br>account: needs a backend |",
				"- **engage\\_user.new**: role\\_id is known only at apply _(known only at apply)_",
			},
			want: []string{"`ENGAGE_ENDPOINT` and `ENGAGE_API_TOKEN`", "`ENGAGE_EMBEDDED_PATH`", "assumed the worst case"},
		},
		{
			name: "full admin, exports, IPv6 internet, settings values",
			report: func() Report {
				r := cleanReport()
				r.Principals = []Principal{{
					Email: "root@example.com", DisplayName: "Root", Managed: true, FullAdminAfter: true,
					Gained: []string{"a.1", "a.2", "a.3", "a.4", "a.5", "a.6", "a.7"}, Reasons: []string{`role changed from "Read Only" to "Full Admin"`},
				}}
				r.Network = Network{
					Managed: true,
					Before:  NetworkSide{Enforced: true, IPv4: FamilyAccess{Addresses: "1"}, IPv6: FamilyAccess{Addresses: "18446744073709551616"}},
					After: NetworkSide{IPv4: FamilyAccess{Addresses: "4294967296", Internet: true},
						IPv6: FamilyAccess{Addresses: "340282366920938463463374607431768211456", Internet: true}},
					Opened: []string{"::/0"}, Closed: []string{"2001:db8::/64"},
				}
				r.Exports = []Export{
					{Kind: "export_destination", Name: "warehouse", Action: "create", Target: "sftp://etl:hunter2@sftp.example.com:22/in", ExportKinds: []string{"contacts"}},
					{Kind: "export_destination", Name: "lake", Action: "update", Target: "s3://lake/engage (eu-west-1)", TargetBefore: "s3://old/engage (eu-west-1)", HostKeyPinned: true},
					{Kind: "transfer_credential", Name: "etl", Action: "replace", HostKeyPinned: true},
				}
				r.Settings = []Setting{
					{Name: "session_timeout_minutes", Before: float64(1440), After: float64(10080), Weakened: true},
					{Name: "sso.enforce", Before: true, After: nil},
				}
				return r
			}(),
			wantLines: []string{
				"## Engage access review: 🟢 no findings",
				"| Allowlisting | enforced | off: every address may connect |",
				"| IPv6 addresses | 2^64 | 🔴 2^128 — every IPv6 address |",
				"| **warehouse**<br>destination | created | `sftp://etl@sftp.example.com:22/in` | `contacts` | 🟠 not pinned |",
				"| **lake**<br>destination | changed | `s3://old/engage (eu-west-1)` →<br>`s3://lake/engage (eu-west-1)` | — | — |",
				"| **etl**<br>transfer credential | replaced | — | — | — |",
				"| `session_timeout_minutes` | 1440 | 10080 | ⚠️ weaker |",
				"| `sso.enforce` | on | not set |  |",
			},
			want:     []string{"🔴 **becomes Full Admin**", "<details><summary>gains 7 permissions</summary>", "| `2001:db8::/64` | closed |"},
			unwanted: []string{"hunter2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, tt.report)
			assertContains(t, out, tt.want...)
			assertNotContains(t, out, tt.unwanted...)
			lines := strings.Split(out, "\n")
			for _, w := range tt.wantLines {
				if !slices.Contains(lines, w) {
					t.Errorf("no line %q", w)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// TestRenderMarkdownHostileStrings: names, emails and addresses come from
// the configuration and the account; none may break a table, inject HTML or
// Markdown, or mention anyone.
func TestRenderMarkdownHostileStrings(t *testing.T) {
	const evil = "Eve | <script>alert(1)</script> `x` **bold** [click](javascript:alert(1)) ![i](http://x/i.png) &amp; $x$ ~~s~~ \\| @engage-oss/security\n## pwned\r\n| injected | row | here |\u2028<!-- c --> \u202Egnp.exe"
	r := cleanReport()
	r.TerraformVersion = evil
	r.Backend = evil
	r.HighestSeverity = evil
	r.Principals = []Principal{{
		Email: evil, DisplayName: evil, Managed: false,
		Gained: []string{evil, "data.export_data"}, SensitiveGained: []string{evil}, Reasons: []string{evil},
	}}
	r.Roles = []RoleDelta{{Name: evil, Address: `engage_role.r["` + evil + `"]`, Action: evil, Gained: []string{evil}}}
	r.Network = Network{
		Managed: true,
		Before:  NetworkSide{IPv4: FamilyAccess{Addresses: evil}},
		Opened:  []string{evil},
		Lists:   []AllowlistChange{{Name: evil, Address: evil, Action: evil, Added: []string{evil}, Removed: []string{evil}}},
	}
	r.Exports = []Export{{Kind: evil, Name: evil, Action: evil, Target: evil, TargetBefore: evil, ExportKinds: []string{evil}}}
	r.Masking = []Masking{{Table: evil, Column: evil, MaskBefore: evil, MaskAfter: evil}}
	r.Settings = []Setting{{Name: evil, Before: evil, After: map[string]any{"k": evil}}}
	r.Findings = []Finding{{Check: evil, Severity: evil, Subject: evil, Address: evil, Message: evil}}
	r.Unresolved = []Unresolved{{Subject: evil, Reason: evil, Message: evil}}

	out := render(t, r) // checkWellFormed: cells, tags
	assertNotContains(t, out,
		"<script", "<!--", "[click](", "![i](", "**bold**", "`x`", "~~s~~", "$x$",
		"@engage-oss/security", // a mention; the escaped one has a zero-width space
		"\u202E", "\u2028", "\r",
	)
	assertContains(t, out, "&lt;script&gt;", "\\[click\\]", "&amp;amp;", "@&#8203;engage-oss/security")
	for i, line := range strings.Split(out, "\n") {
		for _, bad := range []string{"## pwned", "| injected", "pwned"} {
			if strings.HasPrefix(strings.TrimLeft(line, "-| "), bad) {
				t.Errorf("line %d starts a block from a user string: %q", i+1, line)
			}
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestRenderMarkdownHuge: 5,000 people and findings stay under the bound,
// and the comment says what it left out and where to find it.
func TestRenderMarkdownHuge(t *testing.T) {
	r := cleanReport()
	perms := []string{"campaign.edit", "campaign.view", "content.marketing.edit", "content.marketing.view", "data.export_data", "data.view_data", "data.view_segment_table"}
	for i := range 5000 {
		email := fmt.Sprintf("user%04d@example.com", i)
		r.Principals = append(r.Principals, Principal{
			Email: email, DisplayName: fmt.Sprintf("User Number %04d", i), Managed: true,
			After: perms, Gained: perms, SensitiveGained: []string{"data.export_data"},
			Reasons: []string{`created with role "Exporters"`},
		})
		r.Findings = append(r.Findings, Finding{Check: CheckSensitiveAccessGained, Severity: SeverityHigh, Subject: email, Message: "gains data.export_data"})
	}
	r.Settings = []Setting{{Name: "require_two_factor", Before: true, After: false, Weakened: true}}

	out := render(t, r) // checkWellFormed: the size bound
	if len(out) < markdownBudget/2 {
		t.Errorf("comment is %d bytes: the budget is mostly unused", len(out))
	}
	assertContains(t, out,
		"**5,000 findings** (5,000 high) · 5,000 people gain access · changes to security settings.",
		"### People whose access changes (5,000)",
		"more people left out to keep this comment within GitHub's size limit: run `review-plan --format json` for everything.",
		"more findings left out",
		// The small section is whole: the big ones did not crowd it out.
		"| `require_two_factor` | on | off | ⚠️ weaker |",
		"| **User Number 0000**<br>user0000@example.com |",
	)
}

func TestFitSharesTheBudget(t *testing.T) {
	big := &block{noun: "rows", split: true}
	small := &block{noun: "rows"}
	for i := range 1000 {
		big.rows = append(big.rows, fmt.Sprintf("- big row %04d\n", i))
	}
	small.rows = []string{"- small a\n", "- small b\n"}
	var d doc
	d.text("# fixed\n\n")
	d.add(big)
	d.add(small)
	d.fit(3000)
	if small.keep != 2 {
		t.Errorf("the small block keeps %d of 2 rows", small.keep)
	}
	if big.keep == 0 || big.keep == len(big.rows) {
		t.Errorf("the big block keeps %d of %d rows", big.keep, len(big.rows))
	}
	if n := len(d.String()); n > 3000 {
		t.Errorf("%d bytes over a budget of 3000", n)
	}
}

func TestMdText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ada Lovelace", "Ada Lovelace"},
		{"ada@example.com", "ada@example.com"},
		{"a|b", `a\|b`},
		{`a\|b`, `a\\\|b`},
		{"<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;"},
		{"*x* _y_ `z` ~w~ $m$", `\*x\* \_y\_ \` + "`z\\`" + ` \~w\~ \$m\$`},
		{"[a](b)", `\[a\](b)`},
		{"line\nbreak\r\ttab", "line break  tab"},
		{"@team hi @ x", "@&#8203;team hi @&#8203; x"},
		{"  padded  ", "padded"},
		{"\u202Eevil", "evil"},
		{"\xff", "\uFFFD"},
		{strings.Repeat("x", 500), strings.Repeat("x", maxTextRunes-1) + "…"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMdCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"data.export_data", "`data.export_data`"},
		{`engage_user.u["a<b>"]`, "`engage_user.u[\"a<b>\"]`"},
		{"a`b", "a\\`b"},
		{"a|b", `a\|b`},
		{"a\nb", "a b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in); got != tt.want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAddressCount(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"256", "256"},
		{"4294967296", "4,294,967,296"},
		{"18446744073709551616", "2^64"},
		{"18446744073709551617", "about 2^64.0"},
		{"340282366920938463463374607431768211456", "2^128"},
		{"", "unknown"},
		{"-1", "-1"},
	}
	for _, tt := range tests {
		if got := addressCount(tt.in); got != tt.want {
			t.Errorf("addressCount(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sftp://etl:hunter2@host:22/in", "sftp://etl@host:22/in"},
		{"sftp://etl@host:22/in", "sftp://etl@host:22/in"},
		{"sftp://host:22/p@th", "sftp://host:22/p@th"},
		{"sftp://a:b:c@d@host/x", "sftp://a@host/x"},
		{"s3://bucket/prefix (eu-west-1)", "s3://bucket/prefix (eu-west-1)"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
