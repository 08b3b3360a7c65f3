package planreview

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestPrincipalGainsThroughTheDependencyClosure(t *testing.T) {
	rep := review(t, planDoc{changes: []rc{
		roleChange("engage_role.analysts", update, role("rol_a", "Analysts", "analytics.insights"),
			role("rol_a", "Analysts", "analytics.insights", "data.export_data")),
		userChange("engage_user.ana", noop, user("usr_1", "ana@example.com", "rol_a"), user("usr_1", "ana@example.com", "rol_a")),
	}}, Options{})

	ana := principal(t, rep, "ana@example.com")
	// data.export_data implies data.view_data, which implies
	// data.view_segment_table: the person gains all three.
	if want := []string{"data.export_data", "data.view_data", "data.view_segment_table"}; !slices.Equal(ana.Gained, want) {
		t.Errorf("gained = %v, want %v", ana.Gained, want)
	}
	if want := []string{"data.export_data"}; !slices.Equal(ana.SensitiveGained, want) {
		t.Errorf("sensitive_gained = %v, want %v", ana.SensitiveGained, want)
	}
	if want := []string{`role "Analysts" changed`}; !slices.Equal(ana.Reasons, want) {
		t.Errorf("reasons = %q, want %q", ana.Reasons, want)
	}
	want := []string{
		"sensitive_access_gained/high/ana@example.com",
		"sensitive_access_gained/medium/Analysts", // its holders outside the configuration: no backend
	}
	if got := checks(rep); !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	if len(rep.Roles) != 1 || rep.Roles[0].HoldersManaged != 1 || !rep.Roles[0].SensitiveAfter || rep.Roles[0].SensitiveBefore {
		t.Errorf("roles = %+v", rep.Roles)
	}
}

func TestSystemRolesAreKnownWithoutABackend(t *testing.T) {
	rep := review(t, planDoc{changes: []rc{
		userChange("engage_user.ops", update, user("usr_1", "ops@example.com", access.ReadOnlyRoleID),
			user("usr_1", "ops@example.com", access.FullAdminRoleID)),
	}}, Options{MaxAdmins: 1})
	ops := principal(t, rep, "ops@example.com")
	if !ops.FullAdminAfter || ops.FullAdminBefore || ops.Uncertain {
		t.Errorf("ops = %+v", ops)
	}
	if want := []string{`role changed from "Read Only" to "Full Admin"`}; !slices.Equal(ops.Reasons, want) {
		t.Errorf("reasons = %q", ops.Reasons)
	}
	want := []string{"full_admin_granted/high/ops@example.com", "sensitive_access_gained/high/ops@example.com"}
	if got := checks(rep); !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	if len(rep.Unresolved) != 0 {
		t.Errorf("unresolved = %+v", rep.Unresolved)
	}
}

func TestCustomRoleWithEveryPermissionIsFullAdmin(t *testing.T) {
	all := access.DefaultCatalog().Keys()
	rep := review(t, planDoc{
		changes: []rc{
			{address: "engage_role.platform", typ: "engage_role", name: "platform", actions: create,
				after: role("", "Platform", all...), unknown: obj{"id": true}},
			{address: "engage_user.new", typ: "engage_user", name: "new", actions: create,
				after: with(user("", "new@example.com", ""), "role_id", nil), unknown: obj{"id": true, "role_id": true}},
			userChange("engage_user.admin", noop, user("usr_0", "admin@example.com", access.FullAdminRoleID),
				user("usr_0", "admin@example.com", access.FullAdminRoleID)),
		},
		config: obj{"resources": []obj{{
			"address": "engage_user.new", "mode": "managed",
			"expressions": obj{"role_id": obj{"references": []string{"engage_role.platform.id", "engage_role.platform"}}},
		}}},
	}, Options{MaxAdmins: 1})
	p := principal(t, rep, "new@example.com")
	if !p.FullAdminAfter || p.Uncertain || len(p.Gained) != len(all) {
		t.Errorf("new = %+v", p)
	}
	if want := []string{`created with role "Platform"`}; !slices.Equal(p.Reasons, want) {
		t.Errorf("reasons = %q", p.Reasons)
	}
	want := []string{
		"full_admin_granted/high/new@example.com",
		"sensitive_access_gained/high/new@example.com",
		"admin_count_exceeded/medium/Full Admin",
		"full_admin_granted/medium/Platform",
	}
	if got := checks(rep); !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	if !rep.Roles[0].FullAdminEquivalent || rep.Roles[0].HoldersManaged != 1 {
		t.Errorf("role = %+v", rep.Roles[0])
	}
}

func TestDisabledAndDeletedUsersLoseEverything(t *testing.T) {
	rep := review(t, planDoc{changes: []rc{
		userChange("engage_user.gone", remove, user("usr_1", "gone@example.com", access.ReadOnlyRoleID), nil),
		userChange("engage_user.off", update, user("usr_2", "off@example.com", access.ReadOnlyRoleID),
			with(user("usr_2", "off@example.com", access.ReadOnlyRoleID), "disabled", true)),
		userChange("engage_user.back", update, with(user("usr_3", "back@example.com", access.ReadOnlyRoleID), "disabled", true),
			user("usr_3", "back@example.com", access.ReadOnlyRoleID)),
	}}, Options{MaxAdmins: 1})
	for email, reason := range map[string]string{"gone@example.com": "deleted", "off@example.com": "disabled"} {
		p := principal(t, rep, email)
		if len(p.After) != 0 || len(p.Lost) == 0 || !slices.Equal(p.Reasons, []string{reason}) {
			t.Errorf("%s = %+v", email, p)
		}
	}
	back := principal(t, rep, "back@example.com")
	if len(back.Before) != 0 || len(back.Gained) == 0 || back.Reasons[0] != "enabled again" {
		t.Errorf("back = %+v", back)
	}
	if len(rep.Findings) != 0 {
		t.Errorf("findings = %v, want none (Read Only is not sensitive)", checks(rep))
	}
}

func TestRoleOfANewUserUnderForEachAndModules(t *testing.T) {
	sensitiveRole := role("", "Exporters", "data.export_data")
	plainRole := role("", "Viewers", "campaign.view")
	newUser := func(addr, module, name string, key any, email string) rc {
		return rc{address: addr, module: module, typ: "engage_user", name: name, index: key, actions: create,
			after: with(user("", email, ""), "role_id", nil), unknown: obj{"id": true, "role_id": true}}
	}
	newRole := func(addr, module, name string, key any, values obj) rc {
		return rc{address: addr, module: module, typ: "engage_role", name: name, index: key, actions: create,
			after: values, unknown: obj{"id": true}}
	}
	rep := review(t, planDoc{
		changes: []rc{
			// for_each in the root: engage_role.team[each.key]
			newRole(`engage_role.team["export"]`, "", "team", "export", sensitiveRole),
			newRole(`engage_role.team["view"]`, "", "team", "view", plainRole),
			newUser(`engage_user.member["view"]`, "", "member", "view", "viewer@example.com"),
			// a module instance passing its role in through a variable
			newRole(`module.squad["data"].engage_role.this`, `module.squad["data"]`, "this", nil, sensitiveRole),
			newUser(`module.squad["data"].module.people.engage_user.this`, `module.squad["data"].module.people`, "this", nil, "squad@example.com"),
			// the role comes out of another module's output
			newRole(`module.roles.engage_role.this`, "module.roles", "this", nil, sensitiveRole),
			newUser("engage_user.from_output", "", "from_output", nil, "output@example.com"),
			// a literal index
			newUser("engage_user.literal", "", "literal", nil, "literal@example.com"),
		},
		config: obj{
			"resources": []obj{
				{"address": "engage_user.member", "mode": "managed", "expressions": obj{"role_id": obj{"references": []string{"engage_role.team", "each.key"}}}},
				{"address": "engage_user.from_output", "mode": "managed", "expressions": obj{"role_id": obj{"references": []string{"module.roles.role_id", "module.roles"}}}},
				{"address": "engage_user.literal", "mode": "managed", "expressions": obj{"role_id": obj{"references": []string{`engage_role.team["export"].id`, `engage_role.team["export"]`, "engage_role.team"}}}},
			},
			"module_calls": obj{
				"squad": obj{"module": obj{
					"resources": []obj{},
					"module_calls": obj{"people": obj{
						"expressions": obj{"role_id": obj{"references": []string{"engage_role.this.id", "engage_role.this"}}},
						"module": obj{"resources": []obj{{"address": "engage_user.this", "mode": "managed",
							"expressions": obj{"role_id": obj{"references": []string{"var.role_id"}}}}}},
					}},
				}},
				"roles": obj{"module": obj{"outputs": obj{"role_id": obj{"expression": obj{"references": []string{"engage_role.this.id", "engage_role.this"}}}}}},
			},
		},
	}, Options{})
	cases := map[string]struct{ sensitive bool }{
		"viewer@example.com":  {false},
		"squad@example.com":   {true},
		"output@example.com":  {true},
		"literal@example.com": {true},
	}
	for email, want := range cases {
		p := principal(t, rep, email)
		if p.Uncertain || len(p.After) == 0 {
			t.Errorf("%s: role not resolved: %+v", email, p)
		}
		if got := len(p.SensitiveGained) > 0; got != want.sensitive {
			t.Errorf("%s: sensitive gained %v, want %v (%+v)", email, p.SensitiveGained, want.sensitive, p.Reasons)
		}
	}
	if len(rep.Unresolved) != 0 {
		t.Errorf("unresolved = %+v", rep.Unresolved)
	}
}

func TestRoleKnownOnlyAtApplyIsTheWorstCase(t *testing.T) {
	rep := review(t, planDoc{
		changes: []rc{
			{address: `engage_role.r["a"]`, typ: "engage_role", name: "r", index: "a", actions: create,
				after: role("", "A", "campaign.view"), unknown: obj{"id": true}},
			{address: `engage_role.r["b"]`, typ: "engage_role", name: "r", index: "b", actions: create,
				after: role("", "B", "data.personal_info"), unknown: obj{"id": true}},
			{address: "engage_user.u", typ: "engage_user", name: "u", actions: create,
				after: with(user("", "u@example.com", ""), "role_id", nil), unknown: obj{"id": true, "role_id": true}},
		},
		config: obj{"resources": []obj{{"address": "engage_user.u", "mode": "managed",
			"expressions": obj{"role_id": obj{"references": []string{"engage_role.r", "var.pick"}}}}}},
	}, Options{})
	u := principal(t, rep, "u@example.com")
	if !u.Uncertain || !slices.Contains(u.SensitiveGained, "data.personal_info") {
		t.Errorf("u = %+v: want the union of both candidates, uncertain", u)
	}
	if !strings.Contains(u.Reasons[0], `one of "A", "B" (known at apply)`) {
		t.Errorf("reasons = %q", u.Reasons)
	}
}

func TestRoleByLiteralIDNeedsABackend(t *testing.T) {
	doc := planDoc{changes: []rc{
		userChange("engage_user.ext", update, user("usr_1", "ext@example.com", access.ReadOnlyRoleID),
			user("usr_1", "ext@example.com", "rol_outside")),
	}}
	rep := review(t, doc, Options{})
	ext := principal(t, rep, "ext@example.com")
	if !ext.Uncertain {
		t.Errorf("ext = %+v, want uncertain", ext)
	}
	// The worst case: every permission, the sensitive ones included.
	if got, want := checks(rep), []string{"sensitive_access_gained/high/ext@example.com", "access_unknown_at_plan/medium/ext@example.com"}; !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	if len(rep.Unresolved) != 1 || rep.Unresolved[0].Reason != UnresolvedNeedsBackend {
		t.Errorf("unresolved = %+v", rep.Unresolved)
	}

	account := &access.AccountSnapshot{Roles: []access.Role{{ID: "rol_outside", Name: "Outside", Permissions: []string{"data.personal_info"}}}}
	rep = review(t, doc, Options{Account: account, Backend: "embedded"})
	ext = principal(t, rep, "ext@example.com")
	if ext.Uncertain || !slices.Equal(ext.SensitiveGained, []string{"data.personal_info"}) {
		t.Errorf("with a backend: ext = %+v", ext)
	}
	if len(rep.Unresolved) != 0 {
		t.Errorf("with a backend: unresolved = %+v", rep.Unresolved)
	}
}

func TestBackendListsHoldersOutsideTheConfiguration(t *testing.T) {
	doc := planDoc{changes: []rc{
		roleChange("engage_role.analysts", update, role("rol_a", "Analysts", "campaign.view"),
			role("rol_a", "Analysts", "campaign.view", "data.personal_info")),
	}}
	account := &access.AccountSnapshot{
		Roles: []access.Role{{ID: "rol_a", Name: "Analysts", Permissions: []string{"campaign.view"}}},
		Users: []access.User{
			{ID: "usr_x", Email: "xavier@example.com", DisplayName: "Xavier", RoleID: "rol_a"},
			{ID: "usr_y", Email: "yve@example.com", RoleID: "rol_a", Disabled: true},
			{ID: "usr_z", Email: "zoe@example.com", RoleID: access.ReadOnlyRoleID},
		},
	}
	rep := review(t, doc, Options{Account: account, Backend: "embedded"})
	if len(rep.Principals) != 1 {
		t.Fatalf("principals = %+v, want only xavier (yve is disabled, zoe holds another role)", rep.Principals)
	}
	x := rep.Principals[0]
	if x.Email != "xavier@example.com" || x.Managed || x.UserID != "usr_x" || !slices.Equal(x.SensitiveGained, []string{"data.personal_info"}) {
		t.Errorf("xavier = %+v", x)
	}
	if got, want := checks(rep), []string{"sensitive_access_gained/high/xavier@example.com"}; !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	if h := rep.Roles[0].HoldersAccount; h == nil || *h != 1 {
		t.Errorf("holders_account = %v, want 1 (xavier; yve is disabled)", h)
	}
}

func TestNetworkOpenedToTheInternetHoweverSplit(t *testing.T) {
	office := allowlist("ipl_1", "office", true, "192.0.2.0/24", "2001:db8::/32")
	tests := []struct {
		name    string
		changes []rc
		want    []string
		v4, v6  bool
	}{
		{"IPv4 split in halves across two lists", []rc{
			allowlistChange("engage_ip_allowlist.office", update, office, allowlist("ipl_1", "office", true, "192.0.2.0/24", "0.0.0.0/1")),
			allowlistChange("engage_ip_allowlist.more", create, nil, allowlist("", "more", true, "128.0.0.0/1")),
		}, []string{"network_opened_to_internet/high/network"}, true, false},
		{"IPv6 split in halves", []rc{
			allowlistChange("engage_ip_allowlist.office", update, office, allowlist("ipl_1", "office", true, "::/1", "8000::/1")),
		}, []string{"network_opened_to_internet/high/network"}, false, true},
		{"the last enabled list disabled", []rc{
			allowlistChange("engage_ip_allowlist.office", update, office, with(office, "enabled", false)),
		}, []string{"network_opened_to_internet/high/network"}, true, true},
		{"a network added", []rc{
			allowlistChange("engage_ip_allowlist.office", update, office, allowlist("ipl_1", "office", true, "192.0.2.0/24", "2001:db8::/32", "198.51.100.0/24")),
		}, []string{"network_widened/medium/network"}, false, false},
		{"a network removed", []rc{
			allowlistChange("engage_ip_allowlist.office", update, office, allowlist("ipl_1", "office", true, "192.0.2.0/24")),
		}, []string{}, false, false},
		{"a disabled list opened wide changes nothing", []rc{
			allowlistChange("engage_ip_allowlist.office", noop, office, office),
			allowlistChange("engage_ip_allowlist.spare", create, nil, allowlist("", "spare", false, "0.0.0.0/0")),
		}, []string{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := review(t, planDoc{changes: tt.changes}, Options{})
			if got := checks(rep); !slices.Equal(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
			}
			if rep.Network.After.IPv4.Internet != tt.v4 || rep.Network.After.IPv6.Internet != tt.v6 {
				t.Errorf("after = %+v, want internet v4 %v v6 %v", rep.Network.After, tt.v4, tt.v6)
			}
		})
	}
}

func TestNetworkCountsAndRanges(t *testing.T) {
	rep := review(t, planDoc{changes: []rc{
		allowlistChange("engage_ip_allowlist.office", update, allowlist("ipl_1", "office", true, "192.0.2.0/24"),
			allowlist("ipl_1", "office", true, "192.0.2.0/24", "192.0.2.7", "198.51.100.0/25", "2001:db8::/64")),
	}}, Options{})
	n := rep.Network
	if n.Before.IPv4.Addresses != "256" || n.After.IPv4.Addresses != "384" || n.After.IPv6.Addresses != "18446744073709551616" {
		t.Errorf("counts: before %+v after %+v", n.Before, n.After)
	}
	if want := []string{"198.51.100.0/25", "2001:db8::/64"}; !slices.Equal(n.Opened, want) {
		t.Errorf("opened = %v, want %v", n.Opened, want)
	}
	if want := []string{"192.0.2.7/32", "198.51.100.0/25", "2001:db8::/64"}; !slices.Equal(n.Lists[0].Added, want) {
		t.Errorf("added = %v, want %v", n.Lists[0].Added, want)
	}
}

func TestBackendAllowlistsStayInTheUnion(t *testing.T) {
	// Without a backend, disabling the only managed list looks like opening
	// the console; with the account's other enabled list it narrows it.
	doc := planDoc{changes: []rc{
		allowlistChange("engage_ip_allowlist.office", update, allowlist("ipl_1", "office", true, "192.0.2.0/24"),
			allowlist("ipl_1", "office", false, "192.0.2.0/24")),
	}}
	if got := checks(review(t, doc, Options{})); !slices.Equal(got, []string{"network_opened_to_internet/high/network"}) {
		t.Errorf("without a backend: findings = %v", got)
	}
	account := &access.AccountSnapshot{IPAllowlists: []access.IPAllowlist{
		{ID: "ipl_1", Name: "office", Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "192.0.2.0/24"}}},
		{ID: "ipl_2", Name: "vpn", Enabled: true, Entries: []access.AllowlistEntry{{CIDR: "203.0.113.0/24"}}},
	}}
	rep := review(t, doc, Options{Account: account, Backend: "rest"})
	if got := checks(rep); len(got) != 0 {
		t.Errorf("with a backend: findings = %v, want none", got)
	}
	if want := []string{"192.0.2.0/24"}; !slices.Equal(rep.Network.Closed, want) {
		t.Errorf("closed = %v, want %v", rep.Network.Closed, want)
	}
}

func maskingChange(addr string, actions []string, before, after obj) rc {
	return rc{address: addr, typ: "engage_masking_column", name: nameOf(addr), actions: actions, before: before, after: after}
}

func column(table, col, mask string) obj {
	return obj{"id": table + "/" + col, "table": table, "column": col, "mask": mask, "description": ""}
}

func TestMasking(t *testing.T) {
	tests := []struct {
		name    string
		changes []rc
		want    []string
	}{
		{"destroyed", []rc{maskingChange("engage_masking_column.email", remove, column("customers", "email", "full"), nil)},
			[]string{"column_unmasked/high/customers.email"}},
		{"weakened", []rc{maskingChange("engage_masking_column.email", update, column("customers", "email", "full"), column("customers", "email", "partial"))},
			[]string{"column_unmasked/medium/customers.email"}},
		{"strengthened", []rc{maskingChange("engage_masking_column.email", update, column("customers", "email", "partial"), column("customers", "email", "hash"))},
			[]string{}},
		{"moved to another column: the old one is unmasked", []rc{maskingChange("engage_masking_column.email", replace, column("customers", "email", "full"), column("customers", "email_address", "full"))},
			[]string{"column_unmasked/high/customers.email"}},
		{"the same column under another address", []rc{
			maskingChange(`engage_masking_column.c["old"]`, remove, column("customers", "email", "full"), nil),
			maskingChange(`engage_masking_column.c["new"]`, create, nil, column("customers", "email", "full")),
		}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checks(review(t, planDoc{changes: tt.changes}, Options{})); !slices.Equal(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
			}
		})
	}
}

func destinationChange(actions []string, before, after obj) rc {
	return rc{address: "engage_export_destination.warehouse", typ: "engage_export_destination", name: "warehouse", actions: actions, before: before, after: after}
}

func sftp(host, hostKey string, kinds ...string) obj {
	return obj{"id": "dst_1", "name": "warehouse", "type": "sftp", "export_kinds": kinds,
		"sftp": obj{"host": host, "port": 22, "path": "/exports", "host_key_sha256": hostKey, "credential_id": "cred_1"}, "s3": nil}
}

func TestExports(t *testing.T) {
	const key = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
	tests := []struct {
		name    string
		changes []rc
		want    []string
	}{
		{"a new destination", []rc{destinationChange(create, nil, sftp("sftp.example.com", key, "raw_data_export"))},
			[]string{"export_path_added/medium/warehouse"}},
		{"a new destination without a host key", []rc{destinationChange(create, nil, sftp("sftp.example.com", "", "raw_data_export"))},
			[]string{"export_path_added/medium/warehouse", "host_key_not_pinned/medium/warehouse"}},
		{"another host", []rc{destinationChange(update, sftp("sftp.example.com", key, "report"), sftp("elsewhere.example.net", key, "report"))},
			[]string{"export_path_added/medium/warehouse"}},
		{"another kind", []rc{destinationChange(update, sftp("sftp.example.com", key, "report"), sftp("sftp.example.com", key, "raw_data_export", "report"))},
			[]string{"export_path_added/medium/warehouse"}},
		{"a kind less", []rc{destinationChange(update, sftp("sftp.example.com", key, "raw_data_export", "report"), sftp("sftp.example.com", key, "report"))},
			[]string{}},
		{"a new credential: listed, no finding", []rc{{address: "engage_transfer_credential.sftp", typ: "engage_transfer_credential", name: "sftp",
			actions: create, after: obj{"name": "sftp_prod", "username": "exporter", "secret_wo": nil, "secret_wo_version": 1}}},
			[]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := review(t, planDoc{changes: tt.changes}, Options{})
			if got := checks(rep); !slices.Equal(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
			}
			if len(rep.Exports) != 1 {
				t.Errorf("exports = %+v, want one", rep.Exports)
			}
		})
	}
}

func settingsChange(actions []string, before, after obj) rc {
	return rc{address: "engage_security_settings.account", typ: "engage_security_settings", name: "account", actions: actions, before: before, after: after}
}

func settings(twoFactor bool, timeout int, enforce, approval bool) obj {
	return obj{"id": "account", "require_two_factor": twoFactor, "session_timeout_minutes": timeout, "campaign_approval_required": approval,
		"sso": obj{"enabled": enforce, "enforce": enforce, "idp_entity_id": "x"}}
}

func TestSettings(t *testing.T) {
	strict := settings(true, 60, true, true)
	tests := []struct {
		name    string
		change  rc
		account *access.AccountSnapshot
		want    []string
	}{
		{"every setting weakened", settingsChange(update, strict, settings(false, 2000, false, false)), nil, []string{
			"two_factor_disabled/high/security settings", "sso_enforcement_removed/medium/security settings",
			"campaign_approval_disabled/low/security settings", "session_timeout_raised/low/security settings",
		}},
		{"destroyed: reset to the defaults", settingsChange(remove, strict, nil), nil, []string{
			"two_factor_disabled/high/security settings", "sso_enforcement_removed/medium/security settings",
			"campaign_approval_disabled/low/security settings", "session_timeout_raised/low/security settings",
		}},
		{"created over the defaults: stricter", settingsChange(create, nil, strict), nil, []string{}},
		{"created with the defaults", settingsChange(create, nil, settings(false, 1440, false, false)), nil, []string{}},
		{"created, backend says 2FA was on", settingsChange(create, nil, settings(false, 1440, false, false)),
			&access.AccountSnapshot{SecuritySettings: access.SecuritySettings{RequireTwoFactor: true, SessionTimeoutMinutes: 1440}},
			[]string{"two_factor_disabled/high/security settings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := review(t, planDoc{changes: []rc{tt.change}}, Options{Account: tt.account})
			if got := checks(rep); !slices.Equal(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdminCountCountsEquivalentRolesAndTheAccount(t *testing.T) {
	doc := planDoc{changes: []rc{
		userChange("engage_user.b", update, user("usr_b", "b@example.com", access.ReadOnlyRoleID), user("usr_b", "b@example.com", access.FullAdminRoleID)),
	}}
	if got := checks(review(t, doc, Options{MaxAdmins: 1})); slices.Contains(got, "admin_count_exceeded/medium/Full Admin") {
		t.Errorf("one admin with max 1: findings = %v", got)
	}
	account := &access.AccountSnapshot{Users: []access.User{
		{ID: "usr_a", Email: "a@example.com", RoleID: access.FullAdminRoleID},
		{ID: "usr_b", Email: "b@example.com", RoleID: access.ReadOnlyRoleID},
	}}
	rep := review(t, doc, Options{MaxAdmins: 1, Account: account})
	if got := checks(rep); !slices.Contains(got, "admin_count_exceeded/medium/Full Admin") {
		t.Errorf("a second admin on the account: findings = %v", got)
	}
}

func TestCleanPlanHasNoFinding(t *testing.T) {
	rep := review(t, planDoc{changes: []rc{
		roleChange("engage_role.viewers", create, nil, role("", "Viewers", "campaign.view")),
		roleChange("engage_role.old", noop, role("rol_o", "Old", "campaign.view"), role("rol_o", "Old", "campaign.view")),
		userChange("engage_user.v", noop, user("usr_v", "v@example.com", "rol_o"), user("usr_v", "v@example.com", "rol_o")),
	}}, Options{})
	if rep.HighestSeverity != "none" || len(rep.Findings) != 0 || len(rep.Principals) != 0 {
		t.Errorf("report = %+v", rep)
	}
}

func TestBadPlansAreInputErrors(t *testing.T) {
	tests := map[string]struct{ doc, want string }{
		"empty":            {"", "the plan is empty"},
		"text":             {"Terraform will perform the following actions:", "not a JSON object"},
		"array":            {"[]", "not a JSON object"},
		"broken":           {`{"format_version": "1.2",`, "not valid JSON"},
		"no version":       {`{}`, "no format_version"},
		"empty state":      {`{"format_version": "1.0"}`, "terraform show -json without the plan file prints the state"},
		"provider schemas": {`{"format_version": "1.0", "provider_schemas": {}}`, "neither planned_values nor resource_changes"},
		"other JSON":       {`{"format_version": "1.2", "terraform_version": "1.11.4", "outputs": {}}`, "neither planned_values nor resource_changes"},
		"saved plan":       {"PK\x03\x04\x14\x00", "a saved plan file (binary)"},
		"future format":    {`{"format_version": "2.0"}`, `format_version is "2.0"`},
		"state":            {`{"format_version": "1.0", "values": {}}`, "the JSON of a state, not of a plan"},
		"wrong type":       {`{"format_version": "1.2", "resource_changes": {}}`, "resource_changes holds a object"},
		"wrong values":     {`{"format_version": "1.2", "resource_changes": [{"address": "engage_user.u", "mode": "managed", "type": "engage_user", "change": {"actions": ["create"], "after": {"email": 5}}}]}`, "engage_user.u: the values do not match"},
		"bad module path":  {`{"format_version": "1.2", "resource_changes": [{"address": "x", "module_address": "modul.x", "mode": "managed", "type": "engage_user", "change": {"actions": ["create"]}}]}`, "cannot read its module address"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Review([]byte(tt.doc), Options{})
			var inputErr *InputError
			if !errors.As(err, &inputErr) {
				t.Fatalf("err = %v, want an *InputError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to say %q", err, tt.want)
			}
		})
	}
}

// A configuration whose module variables and outputs refer to one another
// (hostile, or merely tangled) is followed once per name: the review ends,
// and the role stays unresolved. Before each name was followed once, the
// walk branched at every step and did not end.
func TestReferenceCyclesEnd(t *testing.T) {
	refs := []string{}
	for i := range 12 {
		refs = append(refs, fmt.Sprintf("module.a.o%d", i), fmt.Sprintf("var.v%d", i))
	}
	outputs, vars := obj{}, obj{}
	for i := range 12 {
		outputs[fmt.Sprintf("o%d", i)] = obj{"expression": obj{"references": refs}}
		vars[fmt.Sprintf("v%d", i)] = obj{"references": refs}
	}
	rep := review(t, planDoc{
		changes: []rc{{address: "module.a.engage_user.u", module: "module.a", typ: "engage_user", name: "u", actions: create,
			after: with(user("", "u@example.com", ""), "role_id", nil), unknown: obj{"role_id": true}}},
		config: obj{"module_calls": obj{"a": obj{"expressions": vars, "module": obj{
			"outputs":      outputs,
			"resources":    []obj{{"address": "engage_user.u", "mode": "managed", "expressions": obj{"role_id": obj{"references": refs}}}},
			"module_calls": obj{"a": obj{"expressions": vars, "module": obj{"outputs": outputs}}},
		}}}},
	}, Options{})
	if u := principal(t, rep, "u@example.com"); !u.Uncertain {
		t.Errorf("u = %+v, want uncertain", u)
	}
}

func TestRoleTheAccountDoesNotKnowIsNotFound(t *testing.T) {
	rep := review(t, planDoc{changes: []rc{
		userChange("engage_user.ext", update, user("usr_1", "ext@example.com", access.ReadOnlyRoleID), user("usr_1", "ext@example.com", "rol_gone")),
	}}, Options{Account: &access.AccountSnapshot{}, Backend: "rest"})
	if len(rep.Unresolved) != 1 || rep.Unresolved[0].Reason != UnresolvedNotFound {
		t.Errorf("unresolved = %+v, want one not_found", rep.Unresolved)
	}
}

// Permissions Terraform learns only at apply are the worst case, every
// permission, for the role and its holders: nothing unknown reads as a loss
// (found by a new-user trial: the holders showed as losing everything, and
// --fail-on high passed).
func TestPermissionsKnownOnlyAtApplyAreTheWorstCase(t *testing.T) {
	rep := review(t, planDoc{changes: []rc{
		{address: "engage_role.marketer", typ: "engage_role", name: "marketer", actions: update,
			before: role("rol_m", "Marketer", "campaign.view"), after: with(role("rol_m", "Marketer"), "permissions", nil),
			unknown: obj{"permissions": true, "effective_permissions": true}},
		userChange("engage_user.bob", noop, user("usr_b", "bob@example.com", "rol_m"), user("usr_b", "bob@example.com", "rol_m")),
	}}, Options{})
	bob := principal(t, rep, "bob@example.com")
	if !bob.Uncertain || len(bob.Lost) != 0 || !slices.Contains(bob.SensitiveGained, "data.personal_info") {
		t.Errorf("bob = %+v", bob)
	}
	if r := rep.Roles[0]; !r.Uncertain || len(r.Lost) != 0 || len(r.Gained) == 0 || !r.SensitiveAfter {
		t.Errorf("role = %+v", r)
	}
	if rep.HighestSeverity != SeverityHigh {
		t.Errorf("highest severity = %s, want high (findings %v)", rep.HighestSeverity, checks(rep))
	}
}

// A destination whose credential is created in the same plan has a known
// target and host key: the unknown credential_id hides neither (found by a
// new-user trial: the missing host key passed).
func TestDestinationWithANewCredential(t *testing.T) {
	after := sftp("partner.example.org", "", "raw_data_export")
	rep := review(t, planDoc{changes: []rc{{address: "engage_export_destination.warehouse", typ: "engage_export_destination", name: "warehouse",
		actions: create, after: after, unknown: obj{"id": true, "sftp": obj{"credential_id": true}}}}}, Options{})
	if got, want := checks(rep), []string{"export_path_added/medium/warehouse", "host_key_not_pinned/medium/warehouse"}; !slices.Equal(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	if rep.Exports[0].Target != "sftp://partner.example.org:22/exports" {
		t.Errorf("target = %q", rep.Exports[0].Target)
	}
}

// A role the plan creates is held, on the account, by the users the plan
// gives it (found by a new-user trial: it said 0 on the account).
func TestHoldersOnTheAccountOfANewRole(t *testing.T) {
	rep := review(t, planDoc{
		changes: []rc{
			{address: "engage_role.exporter", typ: "engage_role", name: "exporter", actions: create, after: role("", "Exporter", "campaign.view"), unknown: obj{"id": true}},
			{address: "engage_user.ana", typ: "engage_user", name: "ana", actions: update, before: user("usr_a", "ana@example.com", access.ReadOnlyRoleID),
				after: with(user("usr_a", "ana@example.com", ""), "role_id", nil), unknown: obj{"role_id": true}},
		},
		config: obj{"resources": []obj{{"address": "engage_user.ana", "mode": "managed",
			"expressions": obj{"role_id": obj{"references": []string{"engage_role.exporter.id", "engage_role.exporter"}}}}}},
	}, Options{Account: &access.AccountSnapshot{Users: []access.User{{ID: "usr_a", Email: "ana@example.com", RoleID: access.ReadOnlyRoleID}}}})
	if h := rep.Roles[0].HoldersAccount; h == nil || *h != 1 || rep.Roles[0].HoldersManaged != 1 {
		t.Errorf("holders = %d managed, %v account; want 1 and 1", rep.Roles[0].HoldersManaged, h)
	}
}

// terraform plan -target lists only the targeted changes; the other
// resources of the configuration are in the prior state and their users
// still hold the changed role (found by a new-user trial).
func TestTargetedPlanKeepsTheOtherUsers(t *testing.T) {
	doc := planDoc{changes: []rc{
		roleChange("engage_role.marketer", update, role("rol_m", "Marketer", "campaign.view"), role("rol_m", "Marketer", "campaign.view", "data.export_data")),
	}}
	data := doc.json(t)
	var plan map[string]any
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	plan["prior_state"] = obj{"values": obj{"root_module": obj{"resources": []obj{
		{"address": "engage_role.marketer", "mode": "managed", "type": "engage_role", "name": "marketer", "values": role("rol_m", "Marketer", "campaign.view")},
		{"address": "engage_user.bob", "mode": "managed", "type": "engage_user", "name": "bob", "values": user("usr_b", "bob@example.com", "rol_m")},
	}}}}
	data, _ = json.Marshal(plan)
	rep, err := Review(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bob := principal(t, rep, "bob@example.com")
	if !bob.Managed || !slices.Equal(bob.SensitiveGained, []string{"data.export_data"}) || rep.Roles[0].HoldersManaged != 1 {
		t.Errorf("bob = %+v, holders %d", bob, rep.Roles[0].HoldersManaged)
	}
}

func TestRenameWithoutMovedIsNamed(t *testing.T) {
	rep := review(t, planDoc{changes: []rc{
		userChange("engage_user.ana", remove, user("usr_a", "ana@example.com", access.ReadOnlyRoleID), nil),
		userChange("engage_user.analyst", create, nil, user("", "Ana@example.com", access.ReadOnlyRoleID)),
	}}, Options{})
	for _, p := range rep.Principals {
		if last := p.Reasons[len(p.Reasons)-1]; !strings.Contains(last, "a moved block keeps the user") {
			t.Errorf("%s: reasons %q, want the moved hint", p.Address, p.Reasons)
		}
	}
}
