package planreview

import (
	"fmt"
	"strings"
)

// access is what a person can do on one side of the plan.
type accessSide struct {
	exists, disabled bool
	// roles are the roles the person may hold: one, or the candidates of
	// a role_id known only at apply.
	roles []*roleInfo
	// known is false when the permissions cannot be established.
	known bool
	perms []string
}

// sideOf is a person's access on one side. When the plan does not say
// what the person's role grants, known is false and perms is the worst
// case: every permission, so that nothing unknown reads as a loss or passes
// a --fail-on as no change.
func (r *reviewer) sideOf(exists, disabled bool, roles []*roleInfo) accessSide {
	s := accessSide{exists: exists, disabled: disabled, roles: roles, known: true, perms: []string{}}
	if !exists || disabled {
		return s
	}
	var union []string
	for _, ri := range roles {
		if ri == nil || ri.effective == nil {
			s.known = false
			break
		}
		union = append(union, ri.effective...)
	}
	if len(roles) == 0 || !s.known {
		s.known, s.perms = false, r.allKeys
		return s
	}
	s.perms = r.closure(union)
	return s
}

func (r *reviewer) fullAdmin(s accessSide) bool { return s.known && r.isEverything(s.perms) }

func rolesLabel(roles []*roleInfo, id string) string {
	switch {
	case len(roles) == 1 && roles[0] != nil:
		return fmt.Sprintf("%q", roles[0].label())
	case len(roles) > 1:
		names := make([]string, 0, len(roles))
		for _, ri := range roles {
			names = append(names, fmt.Sprintf("%q", ri.label()))
		}
		return "one of " + strings.Join(names, ", ") + " (known at apply)"
	case id != "":
		return fmt.Sprintf("%q (not in this plan)", id)
	}
	return "a role known only at apply"
}

// reviewPrincipals computes every person's effective access before and
// after: the users of this configuration, then (with a backend) the
// account's other users who hold a role the plan changes.
func (r *reviewer) reviewPrincipals() error {
	r.holdersManaged = map[string]int{}
	r.managedUserIDs = map[string]bool{}
	for _, c := range r.byType["engage_user"] {
		if err := r.reviewUser(c, r.managedUserIDs); err != nil {
			return err
		}
	}
	r.hintRenames()
	if r.opts.Account == nil {
		return nil
	}
	for _, u := range r.opts.Account.Users {
		if r.managedUserIDs[u.ID] || u.Disabled {
			continue
		}
		before := r.sideOf(true, false, []*roleInfo{r.roles.lookupBefore(u.RoleID)})
		_, managedRole := r.roles.addrByID[u.RoleID]
		after := before
		if managedRole {
			after = r.sideOf(true, false, []*roleInfo{r.roles.lookupAfter(u.RoleID)})
		}
		r.countAdmins(before, after)
		if !managedRole {
			continue
		}
		p := Principal{Email: u.Email, DisplayName: u.DisplayName, UserID: u.ID}
		reason := fmt.Sprintf("role %s changed", rolesLabel(before.roles, u.RoleID))
		if !after.known {
			reason = fmt.Sprintf("role %s is deleted or replaced by this plan while the user holds it (the platform refuses to delete a held role)", rolesLabel(before.roles, u.RoleID))
		}
		r.addPrincipal(p, before, after, []string{reason}, "")
	}
	return nil
}

func (r *reviewer) reviewUser(c *change, managedIDs map[string]bool) error {
	var before, after userValues
	var err error
	if c.before != nil {
		if before, err = decodeValues[userValues](c.rc.Address, c.before); err != nil {
			return err
		}
		managedIDs[before.ID] = true
	}
	if c.after != nil {
		if after, err = decodeValues[userValues](c.rc.Address, c.after); err != nil {
			return err
		}
	}
	var beforeRoles, afterRoles []*roleInfo
	if c.before != nil {
		if ri := r.roles.lookupBefore(before.RoleID); ri != nil {
			beforeRoles = []*roleInfo{ri}
		}
	}
	roleIDUnknown := c.after != nil && c.unknown.any("role_id")
	if c.after != nil {
		if roleIDUnknown {
			for _, addr := range r.sources.ofAttribute(c.module, c.configAddress, "role_id", c.key) {
				if ri := r.roles.after[addr]; ri != nil {
					afterRoles = append(afterRoles, ri)
				}
			}
		} else if ri := r.roles.lookupAfter(after.RoleID); ri != nil {
			afterRoles = []*roleInfo{ri}
		}
	}
	disabledAfter := after.Disabled && !c.unknown.any("disabled") // unknown: the worst case, enabled
	bs := r.sideOf(c.before != nil, before.Disabled, beforeRoles)
	as := r.sideOf(c.after != nil, disabledAfter, afterRoles)
	r.countAdmins(bs, as)
	if as.exists && !as.disabled {
		for _, ri := range afterRoles {
			r.holdersManaged[ri.address]++
		}
	}

	label := after.Email
	if c.after == nil || c.unknown.any("email") {
		label = before.Email
	}
	if label == "" {
		label = c.rc.Address
	}
	sameRole := c.before != nil && c.after != nil && !roleIDUnknown && before.RoleID == after.RoleID
	if sameRole && !bs.known && !as.known && c.action == "no-op" {
		return nil // a role outside this plan, unchanged by it
	}
	var reasons []string
	switch c.action {
	case "create":
		reasons = append(reasons, "created with role "+rolesLabel(afterRoles, after.RoleID))
	case "delete":
		reasons = append(reasons, "deleted")
	case "replace":
		reasons = append(reasons, "replaced (deleted and created again) with role "+rolesLabel(afterRoles, after.RoleID))
	default:
		if c.before != nil && c.after != nil {
			switch {
			case !before.Disabled && disabledAfter:
				reasons = append(reasons, "disabled")
			case before.Disabled && !disabledAfter:
				reasons = append(reasons, "enabled again")
			}
			if !sameRole {
				reasons = append(reasons, fmt.Sprintf("role changed from %s to %s",
					rolesLabel(beforeRoles, before.RoleID), rolesLabel(afterRoles, after.RoleID)))
			} else if len(afterRoles) == 1 && afterRoles[0].address != "" {
				reasons = append(reasons, fmt.Sprintf("role %s changed", rolesLabel(afterRoles, after.RoleID)))
			}
		}
	}
	if c.before != nil && !bs.known && !bs.disabled {
		if r.opts.Account == nil {
			r.unresolved(label, UnresolvedNeedsBackend, "the role %q that %s holds before this plan is not in the plan: give review-plan a backend to compare with it", before.RoleID, label)
		} else {
			r.unresolved(label, UnresolvedNotFound, "the role %q that %s holds before this plan is not on the account", before.RoleID, label)
		}
	}
	if c.after != nil && !as.known && !as.disabled {
		if roleIDUnknown {
			r.unresolved(label, UnresolvedUnknownAtPlan, "the role of %s (%s) is known only at apply and its source is not in the plan", label, c.rc.Address)
		} else if r.opts.Account == nil {
			r.unresolved(label, UnresolvedNeedsBackend, "role %q of %s is neither a system role nor in this plan: give review-plan a backend to read it from the account", after.RoleID, label)
		} else {
			r.unresolved(label, UnresolvedNotFound, "role %q of %s is neither a system role, nor in this plan, nor on the account", after.RoleID, label)
		}
	}
	p := Principal{Email: label, DisplayName: after.DisplayName, UserID: before.ID, Address: c.rc.Address, Managed: true}
	if c.after == nil {
		p.DisplayName = before.DisplayName
	}
	r.addPrincipal(p, bs, as, reasons, c.rc.Address)
	return nil
}

// hintRenames finds a user deleted at one address and created at another
// with the same email: most likely a renamed resource without a moved
// block, which deletes the user (and their settings) and invites them again.
func (r *reviewer) hintRenames() {
	deleted := map[string]int{}
	for i, p := range r.report.Principals {
		if p.Managed && len(p.Reasons) > 0 && p.Reasons[0] == "deleted" {
			deleted[strings.ToLower(p.Email)] = i
		}
	}
	for i, p := range r.report.Principals {
		j, ok := deleted[strings.ToLower(p.Email)]
		if !ok || i == j || !strings.HasPrefix(strings.Join(p.Reasons, ""), "created") {
			continue
		}
		old := &r.report.Principals[j]
		hint := fmt.Sprintf("the same email is deleted at %s and created at %s: if the resource was renamed, a moved block keeps the user instead", old.Address, p.Address)
		old.Reasons = append(old.Reasons, hint)
		r.report.Principals[i].Reasons = append(r.report.Principals[i].Reasons, hint)
	}
}

func (r *reviewer) countAdmins(before, after accessSide) {
	if r.fullAdmin(before) {
		r.adminsBefore++
	}
	if r.fullAdmin(after) {
		r.adminsAfter++
	}
}

// addPrincipal lists a person whose access changes and judges the change.
func (r *reviewer) addPrincipal(p Principal, before, after accessSide, reasons []string, address string) {
	p.Uncertain = !before.known || !after.known || len(after.roles) > 1
	p.Before, p.After = nonNil(before.perms), nonNil(after.perms)
	if !before.known {
		// The worst case before a change is holding nothing: every
		// permission after it then counts as gained.
		p.Before = []string{}
	}
	p.Gained = difference(p.After, p.Before)
	p.Lost = difference(p.Before, p.After)
	p.SensitiveGained = r.sensitive(p.Gained)
	p.FullAdminBefore, p.FullAdminAfter = r.fullAdmin(before), r.fullAdmin(after)
	p.Reasons = nonNil(reasons)
	if len(p.Gained) == 0 && len(p.Lost) == 0 && !p.Uncertain {
		return
	}
	why := strings.Join(p.Reasons, "; ")
	if p.FullAdminAfter && !p.FullAdminBefore {
		r.find(CheckFullAdminGranted, SeverityHigh, p.Email, address,
			"%s will hold every permission (%s); give the user a role with only the permissions needed", p.Email, why)
	}
	if len(p.SensitiveGained) > 0 {
		gains := "gains"
		if p.Uncertain {
			gains = "may gain (the plan does not say all the person will hold: worst case)"
		}
		r.find(CheckSensitiveAccessGained, SeverityHigh, p.Email, address,
			"%s %s sensitive permissions: %s (%s)", p.Email, gains, joinKeys(p.SensitiveGained), why)
	}
	if !after.known && after.exists && !after.disabled {
		r.find(CheckAccessUnknownAtPlan, SeverityMedium, p.Email, address,
			"what %s can do after this change is not known from the plan (%s); see unresolved", p.Email, why)
	}
	r.report.Principals = append(r.report.Principals, p)
}
