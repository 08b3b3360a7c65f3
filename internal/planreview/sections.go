package planreview

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// reviewNetwork compares who can reach the console before and after: the
// union of every enabled allowlist, the account's other lists included when
// a backend gives them.
func (r *reviewer) reviewNetwork() error {
	changes := r.byType["engage_ip_allowlist"]
	if !slices.ContainsFunc(changes, func(c *change) bool { return c.action != "no-op" }) {
		return nil
	}
	net := &r.report.Network
	net.Managed = true
	var beforeNets, afterNets []netip.Prefix
	enforcedBefore, enforcedAfter := false, false
	managedIDs := map[string]bool{}
	for _, c := range changes {
		var before, after allowlistValues
		var err error
		if c.before != nil {
			if before, err = decodeValues[allowlistValues](c.rc.Address, c.before); err != nil {
				return err
			}
			managedIDs[before.ID] = true
			if before.Enabled {
				enforcedBefore = true
				beforeNets = appendPrefixes(beforeNets, before)
			}
		}
		if c.after != nil {
			if after, err = decodeValues[allowlistValues](c.rc.Address, c.after); err != nil {
				return err
			}
			if c.unknown.any("entries") || c.unknown.any("enabled") {
				r.unresolved(c.rc.Address, UnresolvedUnknownAtPlan, "the networks of allowlist %s are known only at apply", c.rc.Address)
				r.find(CheckAccessUnknownAtPlan, SeverityMedium, "network", c.rc.Address,
					"the networks or the enabled flag of allowlist %s are known only at apply, so this review cannot say who can reach the console", c.rc.Address)
			}
			enabled := after.Enabled || c.unknown.any("enabled") // unknown: the worst case
			if enabled {
				enforcedAfter = true
				afterNets = appendPrefixes(afterNets, after)
			}
		}
		if c.action == "no-op" {
			continue
		}
		name := after.Name
		if c.after == nil {
			name = before.Name
		}
		net.Lists = append(net.Lists, AllowlistChange{
			Name: name, Address: c.rc.Address, Action: c.action,
			EnabledBefore: c.before != nil && before.Enabled, EnabledAfter: c.after != nil && after.Enabled,
			Added: difference(cidrs(after), cidrs(before)), Removed: difference(cidrs(before), cidrs(after)),
		})
	}
	if a := r.opts.Account; a != nil {
		for _, l := range a.IPAllowlists {
			if managedIDs[l.ID] || !l.Enabled {
				continue
			}
			enforcedBefore, enforcedAfter = true, true
			v := allowlistValues{Enabled: true}
			for _, e := range l.Entries {
				v.Entries = append(v.Entries, struct {
					CIDR string `json:"cidr"`
				}{e.CIDR})
			}
			beforeNets = appendPrefixes(beforeNets, v)
			afterNets = appendPrefixes(afterNets, v)
		}
	}
	before, after := newReach(enforcedBefore, beforeNets), newReach(enforcedAfter, afterNets)
	net.Before, net.After = before.side(), after.side()
	net.Opened, net.Closed = after.minus(before), before.minus(after)
	if r.opts.Account == nil && len(net.Opened) > 0 && after.enforced {
		// Lists outside the configuration only shrink what is opened, but
		// together with it they may cover a whole family.
		r.unresolved("network", UnresolvedNeedsBackend,
			"allowlists outside this configuration are not counted, and with the ranges this plan opens they may admit every address: give review-plan a backend to include them")
	}

	var added []string
	for _, l := range net.Lists {
		if l.EnabledAfter {
			for _, cidr := range l.Added {
				added = append(added, fmt.Sprintf("%s in %q", cidr, l.Name))
			}
		}
	}
	var opened []string
	if net.After.IPv4.Internet && !net.Before.IPv4.Internet {
		opened = append(opened, "IPv4")
	}
	if net.After.IPv6.Internet && !net.Before.IPv6.Internet {
		opened = append(opened, "IPv6")
	}
	switch {
	case len(opened) > 0 && !after.enforced:
		unless := ""
		if r.opts.Account == nil {
			unless = " (unless an allowlist outside this configuration is enabled: no backend to check)"
		}
		r.find(CheckNetworkOpenedToInternet, SeverityHigh, "network", "",
			"no IP allowlist stays enabled, so the console accepts logins from every address%s; keep at least one list enabled", unless)
	case len(opened) > 0:
		r.find(CheckNetworkOpenedToInternet, SeverityHigh, "network", "",
			"the enabled IP allowlists together admit every %s address, which is the same as no allowlist (entries added: %s); list only the networks that need access",
			strings.Join(opened, " and "), summarize(added))
	case len(net.Opened) > 0:
		r.find(CheckNetworkWidened, SeverityMedium, "network", "",
			"the console becomes reachable from more addresses: %s (entries added: %s)", summarize(net.Opened), summarize(added))
	}
	return nil
}

// appendPrefixes adds the entries of a list; an entry that is not a prefix
// (unknown at plan time: empty) adds nothing.
func appendPrefixes(nets []netip.Prefix, l allowlistValues) []netip.Prefix {
	for _, e := range l.Entries {
		if canonical, err := access.CanonicalCIDR(e.CIDR); err == nil {
			nets = append(nets, netip.MustParsePrefix(canonical))
		}
	}
	return nets
}

// cidrs returns a list's entries in canonical form (192.0.2.7 is
// 192.0.2.7/32), so that a respelled entry is no change.
func cidrs(l allowlistValues) []string {
	out := make([]string, 0, len(l.Entries))
	for _, e := range l.Entries {
		if canonical, err := access.CanonicalCIDR(e.CIDR); err == nil {
			out = append(out, canonical)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// summarize names the first few prefixes of a list for a message.
func summarize(prefixes []string) string {
	const shown = 5
	if len(prefixes) <= shown {
		return strings.Join(prefixes, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(prefixes[:shown], ", "), len(prefixes)-shown)
}

// reviewExports lists the destinations and credentials the plan writes or
// deletes: every one is a way for data to leave the platform.
func (r *reviewer) reviewExports() error {
	for _, c := range r.byType["engage_export_destination"] {
		if c.action == "no-op" || c.action == "read" {
			continue
		}
		var before, after destinationValues
		var err error
		if c.before != nil {
			if before, err = decodeValues[destinationValues](c.rc.Address, c.before); err != nil {
				return err
			}
		}
		if c.after != nil {
			if after, err = decodeValues[destinationValues](c.rc.Address, c.after); err != nil {
				return err
			}
		}
		e := Export{Kind: "export_destination", Name: after.Name, Address: c.rc.Address, Action: c.action,
			Target: after.target(), TargetBefore: before.target(), ExportKinds: nonNil(slices.Sorted(slices.Values(after.ExportKinds))), HostKeyPinned: true}
		if c.after == nil {
			e.Name, e.Target, e.ExportKinds = before.Name, "", []string{}
		}
		// Only what says where data goes makes the target unknown: a
		// credential created in the same plan (credential_id) does not.
		sftpUnknown, s3Unknown := c.unknown.nested("sftp"), c.unknown.nested("s3")
		if (after.SFTP != nil && sftpUnknown.anyOf("host", "port", "path")) || (after.S3 != nil && s3Unknown.anyOf("bucket", "region", "prefix")) {
			e.Target = "(known at apply)"
		}
		if c.after != nil && after.SFTP != nil && after.SFTP.HostKeySHA256 == "" && !sftpUnknown.anyOf("host_key_sha256") {
			e.HostKeyPinned = false
			r.find(CheckHostKeyNotPinned, SeverityMedium, e.Name, c.rc.Address,
				"SFTP destination %q (%s) has no pinned host key: exports would go to whichever server answers; set sftp.host_key_sha256", e.Name, e.Target)
		}
		newKinds := difference(e.ExportKinds, slices.Sorted(slices.Values(before.ExportKinds)))
		switch {
		case c.action == "create" || (c.action == "replace" && e.Target != e.TargetBefore):
			r.find(CheckExportPathAdded, SeverityMedium, e.Name, c.rc.Address,
				"new export destination %q delivers %s to %s", e.Name, strings.Join(e.ExportKinds, ", "), e.Target)
		case c.after != nil && e.Target != e.TargetBefore:
			r.find(CheckExportPathAdded, SeverityMedium, e.Name, c.rc.Address,
				"export destination %q now delivers to %s (was %s)", e.Name, e.Target, e.TargetBefore)
		case c.after != nil && len(newKinds) > 0:
			r.find(CheckExportPathAdded, SeverityMedium, e.Name, c.rc.Address,
				"export destination %q now also receives %s", e.Name, strings.Join(newKinds, ", "))
		}
		r.report.Exports = append(r.report.Exports, e)
	}
	for _, c := range r.byType["engage_transfer_credential"] {
		if c.action == "no-op" || c.action == "read" {
			continue
		}
		side := c.after
		if side == nil {
			side = c.before
		}
		v, err := decodeValues[credentialValues](c.rc.Address, side)
		if err != nil {
			return err
		}
		r.report.Exports = append(r.report.Exports, Export{Kind: "transfer_credential", Name: v.Name, Address: c.rc.Address,
			Action: c.action, ExportKinds: []string{}, HostKeyPinned: true})
	}
	return nil
}

// maskStrength orders masks by how little they show: full hides the value,
// hash keeps values comparable (joinable), partial shows part of it.
func maskStrength(mask string) int {
	switch access.MaskKind(mask) {
	case access.MaskFull:
		return 3
	case access.MaskHash:
		return 2
	case access.MaskPartial:
		return 1
	}
	return 0
}

// reviewMasking compares the masked columns by table and column, not by
// resource address: renaming a resource keeps a column masked, and
// changing a resource's column unmasks the old one.
func (r *reviewer) reviewMasking() error {
	type masked struct{ mask, address string }
	before, after := map[[2]string]masked{}, map[[2]string]masked{}
	for _, c := range r.byType["engage_masking_column"] {
		if c.before != nil {
			v, err := decodeValues[maskingValues](c.rc.Address, c.before)
			if err != nil {
				return err
			}
			before[[2]string{v.Table, v.Column}] = masked{v.Mask, c.rc.Address}
		}
		if c.after != nil {
			v, err := decodeValues[maskingValues](c.rc.Address, c.after)
			if err != nil {
				return err
			}
			if c.unknown.any("table") || c.unknown.any("column") || c.unknown.any("mask") {
				r.unresolved(c.rc.Address, UnresolvedUnknownAtPlan, "the column or mask of %s is known only at apply", c.rc.Address)
				r.find(CheckAccessUnknownAtPlan, SeverityMedium, c.rc.Address, c.rc.Address,
					"the column or mask of %s is known only at apply, so this review cannot say what stays masked", c.rc.Address)
				continue
			}
			after[[2]string{v.Table, v.Column}] = masked{v.Mask, c.rc.Address}
		}
	}
	for key, b := range before {
		a, still := after[key]
		if still && maskStrength(a.mask) >= maskStrength(b.mask) {
			continue
		}
		m := Masking{Table: key[0], Column: key[1], Address: b.address, MaskBefore: b.mask, MaskAfter: a.mask}
		subject := key[0] + "." + key[1]
		if !still {
			m.Unmasked = true
			r.find(CheckColumnUnmasked, SeverityHigh, subject, b.address,
				"column %s is no longer masked: every role sees its personal data in clear (it was masked %q)", subject, b.mask)
		} else {
			m.Address, m.Weakened = a.address, true
			r.find(CheckColumnUnmasked, SeverityMedium, subject, a.address,
				"column %s is masked more weakly: %q becomes %q, which shows more of its personal data", subject, b.mask, a.mask)
		}
		r.report.Masking = append(r.report.Masking, m)
	}
	for key, a := range after {
		if b, was := before[key]; !was || maskStrength(a.mask) > maskStrength(b.mask) {
			r.report.Masking = append(r.report.Masking, Masking{Table: key[0], Column: key[1], Address: a.address, MaskBefore: b.mask, MaskAfter: a.mask})
		}
	}
	return nil
}

// settingsOf flattens the settings the review compares.
type settingsSnapshot struct {
	twoFactor, ssoEnabled, ssoEnforce, campaignApproval bool
	sessionTimeout                                      int64
}

func snapshotOf(v settingsValues) settingsSnapshot {
	s := settingsSnapshot{twoFactor: v.RequireTwoFactor, campaignApproval: v.CampaignApprovalRequired, sessionTimeout: access.DefaultSessionTimeoutMinutes}
	if v.SessionTimeoutMinutes != nil {
		s.sessionTimeout = *v.SessionTimeoutMinutes
	}
	if v.SSO != nil {
		s.ssoEnabled, s.ssoEnforce = v.SSO.Enabled, v.SSO.Enforce
	}
	return s
}

func snapshotOfAccount(s access.SecuritySettings) settingsSnapshot {
	return settingsSnapshot{twoFactor: s.RequireTwoFactor, ssoEnabled: s.SSO.Enabled, ssoEnforce: s.SSO.Enforce,
		campaignApproval: s.CampaignApprovalRequired, sessionTimeout: int64(s.SessionTimeoutMinutes)}
}

// reviewSettings compares the account's security settings. Before a create
// they are the platform defaults (the provider refuses to create over
// settings someone already wrote), or what the backend reads; a destroy
// resets them to the defaults.
func (r *reviewer) reviewSettings() error {
	defaults := snapshotOfAccount(access.DefaultSecuritySettings())
	for _, c := range r.byType["engage_security_settings"] {
		if c.action == "no-op" || c.action == "read" {
			continue
		}
		before, after := defaults, defaults
		if c.before != nil {
			v, err := decodeValues[settingsValues](c.rc.Address, c.before)
			if err != nil {
				return err
			}
			before = snapshotOf(v)
		} else if r.opts.Account != nil {
			before = snapshotOfAccount(r.opts.Account.SecuritySettings)
		}
		if c.after != nil {
			v, err := decodeValues[settingsValues](c.rc.Address, c.after)
			if err != nil {
				return err
			}
			after = snapshotOf(v)
			for _, attr := range []string{"require_two_factor", "session_timeout_minutes", "sso", "campaign_approval_required"} {
				if c.unknown.any(attr) {
					r.unresolved(c.rc.Address, UnresolvedUnknownAtPlan, "%s of %s is known only at apply", attr, c.rc.Address)
				}
			}
		}
		r.compareSettings(c, before, after)
	}
	return nil
}

func (r *reviewer) compareSettings(c *change, before, after settingsSnapshot) {
	const subject = "security settings"
	how := ""
	if c.action == "delete" {
		how = " (destroying engage_security_settings resets the platform defaults; to stop managing them, use a removed block with lifecycle { destroy = false })"
	}
	add := func(name string, b, a any, weakened bool) {
		r.report.Settings = append(r.report.Settings, Setting{Name: name, Before: b, After: a, Weakened: weakened})
	}
	if before.twoFactor != after.twoFactor {
		add("require_two_factor", before.twoFactor, after.twoFactor, !after.twoFactor)
		if !after.twoFactor {
			r.find(CheckTwoFactorDisabled, SeverityHigh, subject, c.rc.Address,
				"two-factor authentication is no longer required: logins rely on a password alone%s", how)
		}
	}
	if before.ssoEnabled != after.ssoEnabled {
		add("sso.enabled", before.ssoEnabled, after.ssoEnabled, !after.ssoEnabled)
	}
	if before.ssoEnforce != after.ssoEnforce {
		add("sso.enforce", before.ssoEnforce, after.ssoEnforce, !after.ssoEnforce)
		if !after.ssoEnforce {
			r.find(CheckSSOEnforcementRemoved, SeverityMedium, subject, c.rc.Address,
				"single sign-on is no longer enforced: password logins work again%s", how)
		}
	}
	if before.sessionTimeout != after.sessionTimeout {
		add("session_timeout_minutes", before.sessionTimeout, after.sessionTimeout, after.sessionTimeout > before.sessionTimeout)
		if after.sessionTimeout > before.sessionTimeout {
			r.find(CheckSessionTimeoutRaised, SeverityLow, subject, c.rc.Address,
				"idle sessions last longer: %d minutes, up from %d%s", after.sessionTimeout, before.sessionTimeout, how)
		}
	}
	if before.campaignApproval != after.campaignApproval {
		add("campaign_approval_required", before.campaignApproval, after.campaignApproval, !after.campaignApproval)
		if !after.campaignApproval {
			r.find(CheckCampaignApprovalDisabled, SeverityLow, subject, c.rc.Address,
				"campaigns no longer need a second user's approval before they are published%s", how)
		}
	}
}
