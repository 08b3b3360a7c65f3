package provider

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// lockoutGuard refuses an IP allowlist change that would shut the caller
// out of the platform: its own address (as the platform sees it, from
// WhoAmI) allowed before the change and outside every enabled list after.
// It runs at plan time, where the planned list is known, and again just
// before the write, against the lists as they are then: that check is the
// one that guards.
//
// At plan time the guard also counts the lists this run has already
// planned: a new list that covers the caller, planned before a change that
// drops the caller from another list (which depends_on it, so Terraform
// plans and writes it first), makes that change safe.
type lockoutGuard struct {
	enabled bool
	svc     access.Service

	once   sync.Once
	caller netip.Addr // invalid when the platform sees no address (embedded)
	err    error

	mu sync.Mutex
	// planned holds the lists planned in this run, by id, or by name for a
	// list still to create; nil for a list planned for deletion.
	planned map[string]*access.IPAllowlist
}

// callerAddr asks the platform once per provider process.
func (g *lockoutGuard) callerAddr(ctx context.Context) (netip.Addr, error) {
	g.once.Do(func() {
		c, err := g.svc.WhoAmI(ctx)
		if err != nil {
			g.err = fmt.Errorf("asking the platform for the caller's address: %w", err)
			return
		}
		if c.ClientIP == "" {
			return
		}
		addr, err := netip.ParseAddr(c.ClientIP)
		if err != nil {
			g.err = fmt.Errorf("the platform reported the caller's address as %q, which is not an IP address", c.ClientIP)
			return
		}
		g.caller = addr.Unmap()
	})
	return g.caller, g.err
}

// check refuses replacing the list id (empty for a new list) by planned (nil
// for a deletion) when that locks the caller out, against the platform's
// lists as they are now.
func (g *lockoutGuard) check(ctx context.Context, id string, planned *access.IPAllowlist) error {
	if g == nil || !g.enabled {
		return nil
	}
	return g.checkWith(ctx, id, planned, nil)
}

// planWarning is a warning for the plan: a summary and its detail; empty
// when there is none.
type planWarning struct{ summary, detail string }

// checkPlan is check at plan time: it records planned as this run's plan
// for the list, and counts the lists planned before it. When only those
// make the change safe, it says so in a warning: the apply refuses the
// change if Terraform writes it before them, which depends_on prevents.
// Without lockout protection nothing is refused, but a change that shuts
// the caller out is still shown, as a warning: the reviewer of the plan
// should know.
func (g *lockoutGuard) checkPlan(ctx context.Context, id string, planned *access.IPAllowlist) (planWarning, error) {
	if g == nil || g.svc == nil {
		return planWarning{}, nil
	}
	if !g.enabled {
		var lockout *access.ConflictError
		if err := g.checkWith(ctx, id, planned, nil); errors.As(err, &lockout) {
			return planWarning{"IP allowlist change will lock you out", fmt.Sprintf("lockout_protection is false, so this "+
				"change is applied as planned, and it leaves your own address %s outside every enabled IP allowlist: "+
				"the provider tells the platform the change is deliberate, and from then on the platform refuses your "+
				"requests, the rest of this run's included. To recover, an operator runs "+
				"`terraform-provider-engage admin allowlists disable-all --database ...` on the server's database.", g.caller)}, nil
		}
		return planWarning{}, nil // protection is off: a failed check refuses nothing
	}
	g.mu.Lock()
	if g.planned == nil {
		g.planned = map[string]*access.IPAllowlist{}
	}
	others := make(map[string]*access.IPAllowlist, len(g.planned))
	for k, l := range g.planned {
		others[k] = l
	}
	self := plannedListKey(id, planned)
	delete(others, self)
	g.planned[self] = planned
	g.mu.Unlock()
	if err := g.checkWith(ctx, id, planned, others); err != nil || len(others) == 0 {
		return planWarning{}, err
	}
	// Refused without the other planned lists: the refusal itself is not
	// this plan's error, only the reason for the warning.
	if safeAlone := g.checkWith(ctx, id, planned, nil) == nil; !safeAlone {
		return planWarning{"IP allowlist change depends on another list", "This change keeps your own address inside an " +
			"enabled IP allowlist only thanks to another list this apply creates or changes. Unless this list names that " +
			"one in depends_on (depends_on = [engage_ip_allowlist.other]), Terraform may write this one first, and the " +
			"apply then refuses it before writing anything."}, nil
	}
	return planWarning{}, nil
}

// plannedListKey names a planned list: its id, or its name while it has
// none yet.
func plannedListKey(id string, planned *access.IPAllowlist) string {
	if id != "" || planned == nil {
		return id
	}
	return importNamePrefix + access.NameKey(planned.Name)
}

func (g *lockoutGuard) checkWith(ctx context.Context, id string, planned *access.IPAllowlist, others map[string]*access.IPAllowlist) error {
	if g == nil || g.svc == nil {
		return nil
	}
	addr, err := g.callerAddr(ctx)
	if err != nil || !addr.IsValid() {
		return err
	}
	page, err := g.svc.ListIPAllowlists(ctx, access.ListOptions{})
	if err != nil {
		return err
	}
	before := page.Items
	after := make([]access.IPAllowlist, 0, len(before)+len(others)+1)
	for _, l := range before {
		if _, replanned := others[l.ID]; !replanned && (id == "" || l.ID != id) {
			after = append(after, l)
		}
	}
	for _, l := range others {
		if l != nil {
			after = append(after, *l)
		}
	}
	if planned != nil {
		after = append(after, *planned)
	}
	// A caller already outside the lists is not made worse off by this
	// change; refusing it would only block the repair.
	if !access.AllowedBy(before, addr) || access.AllowedBy(after, addr) {
		return nil
	}
	way := fmt.Sprintf("Add %s to an enabled list in an earlier apply, or in this apply in another enabled list that this one "+
		"names in depends_on (depends_on = [engage_ip_allowlist.other]), so that Terraform writes that list first", addr)
	if planned == nil {
		way = fmt.Sprintf("Add %s to another enabled list in an earlier apply", addr)
	}
	return &access.ConflictError{Kind: "IP allowlist", ID: id, Reason: fmt.Sprintf(
		"this change would lock out your own address %s: it would be outside every enabled IP allowlist. "+
			"%s; or set lockout_protection = false in the provider configuration", addr, way)}
}
