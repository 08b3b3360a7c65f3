package planreview

import (
	"fmt"
	"slices"
	"strings"
)

// roleInfo is a role on one side of the plan.
type roleInfo struct {
	id, name, address string
	// effective is the dependency closure of the role's permissions,
	// sorted; nil when Terraform learns the permissions only at apply.
	effective []string
	system    bool
}

func (ri *roleInfo) label() string {
	if ri.name != "" {
		return ri.name
	}
	return ri.address
}

// roleIndex finds the role behind a role_id on either side of the plan:
// managed roles by their before and after values, the rest (system roles,
// roles read by data sources, the account's other roles) as they are.
type roleIndex struct {
	before   map[string]*roleInfo // managed, by id
	after    map[string]*roleInfo // managed, by address; nil when deleted
	addrByID map[string]string
	// replaced holds the addresses of managed roles whose id changes.
	replaced map[string]bool
	fixed    map[string]*roleInfo // by id
}

func (r *reviewer) closure(perms []string) []string {
	return r.cat.Closure(perms)
}

func (r *reviewer) indexRoles(p *plan) error {
	idx := roleIndex{
		before: map[string]*roleInfo{}, after: map[string]*roleInfo{}, addrByID: map[string]string{},
		replaced: map[string]bool{}, fixed: map[string]*roleInfo{},
	}
	for _, sr := range r.cat.SystemRoles() {
		idx.fixed[sr.ID] = &roleInfo{id: sr.ID, name: sr.Name, effective: r.closure(sr.Permissions), system: true}
	}
	if p.PriorState != nil && p.PriorState.Values != nil {
		if err := r.indexDataRoles(&p.PriorState.Values.RootModule, idx.fixed, 0); err != nil {
			return err
		}
	}
	if a := r.opts.Account; a != nil {
		for _, role := range a.Roles {
			idx.fixed[role.ID] = &roleInfo{id: role.ID, name: role.Name, system: role.System,
				effective: r.closure(append(slices.Clone(role.Permissions), role.EffectivePermissions...))}
		}
	}
	if p.Configuration != nil {
		r.sources.root = &p.Configuration.RootModule
	}
	r.sources.roles = map[string][]roleInstance{}
	for _, c := range r.byType["engage_role"] {
		r.sources.roles[c.rc.Name] = append(r.sources.roles[c.rc.Name], roleInstance{module: c.module, name: c.rc.Name, key: c.key, address: c.rc.Address})
		var before roleValues
		if c.before != nil {
			v, err := decodeValues[roleValues](c.rc.Address, c.before)
			if err != nil {
				return err
			}
			before = v
			idx.before[v.ID] = &roleInfo{id: v.ID, name: v.Name, address: c.rc.Address, effective: r.closure(v.Permissions)}
			idx.addrByID[v.ID] = c.rc.Address
		}
		idx.after[c.rc.Address] = nil
		if c.after != nil {
			v, err := decodeValues[roleValues](c.rc.Address, c.after)
			if err != nil {
				return err
			}
			info := &roleInfo{id: v.ID, name: v.Name, address: c.rc.Address}
			if c.unknown.whole("id") {
				info.id = ""
			}
			if c.unknown.any("name") {
				info.name = ""
			}
			if !c.unknown.any("permissions") {
				info.effective = r.closure(v.Permissions)
			}
			idx.after[c.rc.Address] = info
			if c.before != nil && info.id != before.ID {
				idx.replaced[c.rc.Address] = true
			}
		}
	}
	r.roles = idx
	return nil
}

// indexDataRoles adds the roles that engage_role data sources read at plan
// time: a role_id taken from one is known, and so is the role.
func (r *reviewer) indexDataRoles(m *stateModule, into map[string]*roleInfo, depth int) error {
	if depth > maxReferenceDepth {
		return nil
	}
	for _, res := range m.Resources {
		if res.Mode != "data" || res.Type != "engage_role" {
			continue
		}
		v, err := decodeValues[roleValues]("data.engage_role", res.Values)
		if err != nil {
			return err
		}
		if v.ID == "" {
			continue
		}
		if _, known := into[v.ID]; !known {
			into[v.ID] = &roleInfo{id: v.ID, name: v.Name, system: v.System,
				effective: r.closure(append(slices.Clone(v.Permissions), v.Effective...))}
		}
	}
	for i := range m.ChildModules {
		if err := r.indexDataRoles(&m.ChildModules[i], into, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (idx *roleIndex) lookupBefore(id string) *roleInfo {
	if ri, ok := idx.before[id]; ok {
		return ri
	}
	return idx.fixed[id]
}

// lookupAfter returns the role a known role_id names after the plan; nil
// when the plan deletes or replaces it (its id will not exist), or when
// nothing knows it.
func (idx *roleIndex) lookupAfter(id string) *roleInfo {
	if addr, ok := idx.addrByID[id]; ok {
		if idx.replaced[addr] {
			return nil
		}
		return idx.after[addr]
	}
	return idx.fixed[id]
}

// reviewRoles reports every role the plan creates, changes or deletes.
func (r *reviewer) reviewRoles() error {
	for _, c := range r.byType["engage_role"] {
		if c.action == "no-op" || c.action == "read" {
			continue
		}
		var before *roleInfo
		if c.before != nil {
			v, err := decodeValues[roleValues](c.rc.Address, c.before)
			if err != nil {
				return err
			}
			before = r.roles.before[v.ID]
		}
		after := r.roles.after[c.rc.Address]
		d := RoleDelta{Address: c.rc.Address, Action: c.action, Gained: []string{}, Lost: []string{}, SensitiveGained: []string{}}
		if before != nil {
			d.Name, d.RoleID, d.Before = before.name, before.id, before.effective
			d.SensitiveBefore = len(r.sensitive(before.effective)) > 0
		}
		if after != nil {
			if after.name != "" {
				d.Name = after.name
			}
			if after.id != "" {
				d.RoleID = after.id
			}
			if after.effective == nil {
				d.After, d.Uncertain, d.SensitiveAfter = r.allKeys, true, true
				r.unresolved(d.Name, UnresolvedUnknownAtPlan, "the permissions of role %q (%s) are known only at apply", d.Name, c.rc.Address)
				r.find(CheckAccessUnknownAtPlan, SeverityMedium, d.Name, c.rc.Address,
					"the permissions of role %q are known only at apply, so this review cannot say what it grants (it assumes every permission); make them literal or plan them in an earlier run", d.Name)
			} else {
				d.After = after.effective
				d.SensitiveAfter = len(r.sensitive(after.effective)) > 0
				d.FullAdminEquivalent = r.isEverything(after.effective)
			}
		}
		d.Gained = difference(d.After, d.Before)
		d.Lost = difference(d.Before, d.After)
		d.SensitiveGained = r.sensitive(d.Gained)
		d.HoldersManaged = r.holdersManaged[c.rc.Address]
		if r.opts.Account != nil {
			// This configuration's holders as the plan leaves them, and
			// the account's other enabled users who hold the role.
			n := d.HoldersManaged
			if before != nil {
				for _, u := range r.opts.Account.Users {
					if u.RoleID == before.id && !u.Disabled && !r.managedUserIDs[u.ID] {
						n++
					}
				}
			}
			d.HoldersAccount = &n
		}
		r.roleFindings(c, d, before)
		r.report.Roles = append(r.report.Roles, d)
	}
	return nil
}

// roleFindings judges a role by itself, for the holders this review cannot
// list: with a backend they are principals, judged one by one.
func (r *reviewer) roleFindings(c *change, d RoleDelta, before *roleInfo) {
	if d.FullAdminEquivalent && (before == nil || !r.isEverything(before.effective)) {
		r.find(CheckFullAdminGranted, SeverityMedium, d.Name, c.rc.Address,
			"role %q grants every permission, the same as the Full Admin system role; grant only the permissions its holders need", d.Name)
	}
	// Holders outside the configuration matter only when the role grants
	// more: losing a permission widens no one's access.
	if before == nil || r.opts.Account != nil || len(d.Gained) == 0 {
		return
	}
	r.unresolved(d.Name, UnresolvedNeedsBackend,
		"users outside this configuration who hold role %q gain %s too, and are not listed: give review-plan a backend (ENGAGE_ENDPOINT and ENGAGE_API_TOKEN, or ENGAGE_EMBEDDED_PATH)",
		d.Name, joinKeys(d.Gained))
	gained := d.SensitiveGained
	if len(gained) == 0 {
		return
	}
	r.find(CheckSensitiveAccessGained, SeverityMedium, d.Name, c.rc.Address,
		"role %q gains sensitive permissions (%s); users outside this configuration who hold it gain them too, and this review cannot list them without a backend",
		d.Name, joinKeys(gained))
}

// joinKeys lists permission keys for a message, the first few by name.
func joinKeys(keys []string) string {
	const shown = 8
	if len(keys) <= shown {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:shown], ", "), len(keys)-shown)
}
