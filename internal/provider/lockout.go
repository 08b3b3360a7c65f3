package provider

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// lockoutGuard refuses an IP allowlist change that would shut the caller
// out of the platform: its own address (as the platform sees it, from
// WhoAmI) allowed before the change and outside every enabled list after.
// It runs at plan time, where the planned list is known, and again just
// before the write, against the lists as they are then.
type lockoutGuard struct {
	enabled bool
	svc     access.Service

	once   sync.Once
	caller netip.Addr // invalid when the platform sees no address (embedded)
	err    error
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
// for a deletion) when that locks the caller out.
func (g *lockoutGuard) check(ctx context.Context, id string, planned *access.IPAllowlist) error {
	if g == nil || !g.enabled {
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
	after := make([]access.IPAllowlist, 0, len(before)+1)
	for _, l := range before {
		if id == "" || l.ID != id {
			after = append(after, l)
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
	return &access.ConflictError{Kind: "IP allowlist", ID: id, Reason: fmt.Sprintf(
		"this change would lock out your own address %s: it would be outside every enabled IP allowlist. "+
			"Add %s to an enabled list in the same or an earlier apply, or set lockout_protection = false in the provider configuration",
		addr, addr)}
}
