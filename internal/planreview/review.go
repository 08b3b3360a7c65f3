package planreview

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Options configure Review.
type Options struct {
	// Catalog is the permission catalog; access.DefaultCatalog when nil.
	Catalog *access.Catalog
	// Account is the account as a backend lists it
	// (access.ReadAccountSnapshot), nil to review from the plan alone.
	Account *access.AccountSnapshot
	// Backend names where Account came from (embedded, rest); "none"
	// without one.
	Backend string
	// MaxAdmins is how many Full Admin holders are acceptable before
	// admin_count_exceeded fires.
	MaxAdmins int
}

// change is one engage resource instance in the plan, with both sides.
type change struct {
	rc      *resourceChange
	action  string
	before  json.RawMessage // null when the object does not exist before
	after   json.RawMessage // null when it does not exist after
	unknown unknowns
	module  modulePath
	// configAddress is the address inside its module (engage_user.ops).
	configAddress string
	key           string
}

// Review computes the access delta of a plan document (`terraform show
// -json` of a saved plan). An *InputError says the document is not one.
func Review(planJSON []byte, opts Options) (Report, error) {
	p, err := decodePlan(planJSON)
	if err != nil {
		return Report{}, err
	}
	if opts.Catalog == nil {
		opts.Catalog = access.DefaultCatalog()
	}
	if opts.Backend == "" {
		opts.Backend = "none"
	}
	r := &reviewer{cat: opts.Catalog, opts: opts, byType: map[string][]*change{}, allKeys: opts.Catalog.Keys()}
	if err := r.collect(p); err != nil {
		return Report{}, err
	}
	if err := r.indexRoles(p); err != nil {
		return Report{}, err
	}
	steps := []func() error{r.reviewPrincipals, r.reviewRoles, r.reviewNetwork, r.reviewExports, r.reviewMasking, r.reviewSettings}
	for _, step := range steps {
		if err := step(); err != nil {
			return Report{}, err
		}
	}
	return r.finish(p.TerraformVersion), nil
}

type reviewer struct {
	cat     *access.Catalog
	allKeys []string // every permission, sorted: the worst case
	opts    Options
	byType  map[string][]*change

	roles   roleIndex
	sources roleSources

	// holdersManaged counts, by role address, the enabled users of this
	// configuration that hold the role after the plan.
	holdersManaged map[string]int
	// managedUserIDs are the platform ids of this configuration's users.
	managedUserIDs map[string]bool

	report Report
	// adminsBefore/After count the people holding every permission.
	adminsBefore, adminsAfter int
}

func (r *reviewer) collect(p *plan) error {
	planned := make(map[string]bool, len(p.ResourceChanges))
	for _, rc := range p.ResourceChanges {
		planned[rc.Address] = true
	}
	if p.PriorState != nil && p.PriorState.Values != nil {
		// A plan with -target lists only the targeted resources' changes;
		// the others are in the prior state, unchanged, and still hold
		// their roles and networks.
		p.ResourceChanges = appendUnplanned(p.ResourceChanges, &p.PriorState.Values.RootModule, planned, 0)
	}
	for i := range p.ResourceChanges {
		rc := &p.ResourceChanges[i]
		if rc.Mode != "managed" || !strings.HasPrefix(rc.Type, "engage_") {
			continue
		}
		module, ok := parseModuleAddress(rc.ModuleAddress)
		if !ok {
			return inputErrorf("%s: cannot read its module address %q", rc.Address, rc.ModuleAddress)
		}
		c := &change{
			rc: rc, action: action(rc.Change.Actions), before: rc.Change.Before, after: rc.Change.After,
			unknown: decodeUnknowns(rc.Change.AfterUnknown), module: module,
			configAddress: rc.Type + "." + rc.Name, key: strings.TrimSpace(string(rc.Index)),
		}
		if !exists(c.before) {
			c.before = nil
		}
		if !exists(c.after) {
			c.after = nil
		}
		if c.action == "no-op" && slices.Contains(rc.Change.Actions, "forget") {
			// A removed block with destroy = false: Terraform forgets
			// the object, the platform keeps it as it is.
			c.after, c.unknown = c.before, nil
		}
		r.byType[rc.Type] = append(r.byType[rc.Type], c)
	}
	return nil
}

// appendUnplanned adds the managed engage resources of the prior state that
// the plan does not list, as changes that change nothing.
func appendUnplanned(changes []resourceChange, m *stateModule, planned map[string]bool, depth int) []resourceChange {
	if depth > maxReferenceDepth {
		return changes
	}
	for _, res := range m.Resources {
		if res.Mode != "managed" || !strings.HasPrefix(res.Type, "engage_") || planned[res.Address] {
			continue
		}
		rc := resourceChange{Address: res.Address, ModuleAddress: m.Address, Mode: res.Mode, Type: res.Type, Name: res.Name, Index: res.Index}
		rc.Change.Actions = []string{"no-op"}
		rc.Change.Before, rc.Change.After = res.Values, res.Values
		changes = append(changes, rc)
	}
	for i := range m.ChildModules {
		changes = appendUnplanned(changes, &m.ChildModules[i], planned, depth+1)
	}
	return changes
}

func (r *reviewer) finish(terraformVersion string) Report {
	rep := &r.report
	rep.SchemaVersion = SchemaVersion
	rep.TerraformVersion = terraformVersion
	rep.Backend = r.opts.Backend
	if r.adminsAfter > r.opts.MaxAdmins && r.adminsAfter > r.adminsBefore {
		qualifier := ""
		if r.opts.Account == nil {
			qualifier = "at least "
		}
		r.find(CheckAdminCountExceeded, SeverityMedium, "Full Admin", "",
			"%s%d people will hold every permission (Full Admin or an equivalent role), %d before this change; more than max_admins (%d): give all but the necessary ones a narrower role",
			qualifier, r.adminsAfter, r.adminsBefore, r.opts.MaxAdmins)
	}
	slices.SortFunc(rep.Principals, func(a, b Principal) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email)), cmp.Compare(a.Address, b.Address))
	})
	slices.SortFunc(rep.Roles, func(a, b RoleDelta) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Address, b.Address))
	})
	slices.SortFunc(rep.Exports, func(a, b Export) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Address, b.Address))
	})
	slices.SortFunc(rep.Masking, func(a, b Masking) int {
		return cmp.Or(cmp.Compare(a.Table, b.Table), cmp.Compare(a.Column, b.Column))
	})
	slices.SortFunc(rep.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)),
			cmp.Compare(a.Check, b.Check), cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Address, b.Address))
	})
	slices.SortFunc(rep.Unresolved, func(a, b Unresolved) int {
		return cmp.Or(cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Message, b.Message))
	})
	rep.Unresolved = slices.Compact(rep.Unresolved)
	rep.HighestSeverity = "none"
	if len(rep.Findings) > 0 {
		rep.HighestSeverity = rep.Findings[0].Severity
	}
	// Empty lists, not null: a policy iterates them without a guard.
	rep.Principals = nonNil(rep.Principals)
	rep.Roles = nonNil(rep.Roles)
	rep.Exports = nonNil(rep.Exports)
	rep.Masking = nonNil(rep.Masking)
	rep.Settings = nonNil(rep.Settings)
	rep.Findings = nonNil(rep.Findings)
	rep.Unresolved = nonNil(rep.Unresolved)
	rep.Network.Opened = nonNil(rep.Network.Opened)
	rep.Network.Closed = nonNil(rep.Network.Closed)
	rep.Network.Lists = nonNil(rep.Network.Lists)
	if !rep.Network.Managed {
		rep.Network.Before, rep.Network.After = NetworkSide{}, NetworkSide{}
	}
	return *rep
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SeverityRank orders severities: high 3, medium 2, low 1, anything else
// (never, none) 0.
func SeverityRank(s string) int { return severityRank(s) }

func severityRank(s string) int {
	switch s {
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

func (r *reviewer) find(check, severity, subject, address, format string, args ...any) {
	r.report.Findings = append(r.report.Findings, Finding{
		Check: check, Severity: severity, Subject: subject, Address: address, Message: fmt.Sprintf(format, args...),
	})
}

func (r *reviewer) unresolved(subject, reason, format string, args ...any) {
	r.report.Unresolved = append(r.report.Unresolved, Unresolved{Subject: subject, Reason: reason, Message: fmt.Sprintf(format, args...)})
}

// sensitive returns the keys of perms the catalog marks sensitive.
func (r *reviewer) sensitive(perms []string) []string {
	out := []string{}
	for _, k := range perms {
		if p, ok := r.cat.Lookup(k); ok && p.Sensitive {
			out = append(out, k)
		}
	}
	return out
}

// isEverything reports whether perms is every permission of the catalog.
func (r *reviewer) isEverything(perms []string) bool {
	return slices.Equal(perms, r.allKeys)
}

// difference returns the sorted keys of a that are not in b.
func difference(a, b []string) []string {
	out := []string{}
	for _, k := range a {
		if _, found := slices.BinarySearch(b, k); !found {
			out = append(out, k)
		}
	}
	return out
}
