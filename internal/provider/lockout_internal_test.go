package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// callerOutside is a platform that sees the caller at 127.0.0.1 and holds
// lists; nothing else of access.Service is used.
type callerOutside struct {
	access.Service
	lists []access.IPAllowlist
}

func (p callerOutside) WhoAmI(context.Context) (access.Caller, error) {
	return access.Caller{ClientIP: "127.0.0.1"}, nil
}

func (p callerOutside) ListIPAllowlists(context.Context, access.ListOptions) (access.Page[access.IPAllowlist], error) {
	return access.Page[access.IPAllowlist]{Items: p.lists}, nil
}

func allowlist(id, name, cidr string) *access.IPAllowlist {
	return &access.IPAllowlist{ID: id, Name: name, Enabled: true, Entries: []access.AllowlistEntry{{CIDR: cidr}}}
}

func TestLockoutPlanCountsTheListsPlannedBeforeAndSaysItDependsOnThem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	platform := callerOutside{lists: []access.IPAllowlist{*allowlist("ipl_office", "Office", "127.0.0.0/8")}}
	dropsCaller := allowlist("ipl_office", "Office", "203.0.113.0/24")

	t.Run("alone, dropping the caller is refused with the depends_on advice", func(t *testing.T) {
		t.Parallel()
		g := &lockoutGuard{enabled: true, svc: platform}
		warning, err := g.checkPlan(ctx, "ipl_office", dropsCaller)
		if err == nil || !strings.Contains(err.Error(), "depends_on") || warning.summary != "" {
			t.Fatalf("got %q, %v; want a refusal naming depends_on", warning, err)
		}
	})
	t.Run("after a new list covering the caller was planned, it passes with a warning", func(t *testing.T) {
		t.Parallel()
		g := &lockoutGuard{enabled: true, svc: platform}
		if w, err := g.checkPlan(ctx, "", allowlist("", "Admins", "127.0.0.1/32")); err != nil || w.summary != "" {
			t.Fatalf("planning the covering list: %q, %v", w, err)
		}
		warning, err := g.checkPlan(ctx, "ipl_office", dropsCaller)
		if err != nil || !strings.Contains(warning.detail, "depends_on") {
			t.Fatalf("got %q, %v; want no error and a depends_on warning", warning, err)
		}
	})
	t.Run("a change safe on its own gives no warning", func(t *testing.T) {
		t.Parallel()
		g := &lockoutGuard{enabled: true, svc: platform}
		if w, err := g.checkPlan(ctx, "", allowlist("", "Admins", "127.0.0.1/32")); err != nil || w.summary != "" {
			t.Fatalf("planning another list: %q, %v", w, err)
		}
		if w, err := g.checkPlan(ctx, "ipl_office", allowlist("ipl_office", "Office", "127.0.0.0/16")); err != nil || w.summary != "" {
			t.Fatalf("got %q, %v; want neither", w, err)
		}
	})
	// Found in a user trial: with protection off, a plan that shuts the
	// caller out said nothing about it.
	t.Run("without protection, dropping the caller is planned with a warning naming the address and the recovery", func(t *testing.T) {
		t.Parallel()
		g := &lockoutGuard{enabled: false, svc: platform}
		warning, err := g.checkPlan(ctx, "ipl_office", dropsCaller)
		if err != nil || warning.summary != "IP allowlist change will lock you out" ||
			!strings.Contains(warning.detail, "127.0.0.1") || !strings.Contains(warning.detail, "admin allowlists disable-all") {
			t.Fatalf("got %+v, %v; want no error and a lockout warning", warning, err)
		}
		if w, err := g.checkPlan(ctx, "ipl_office", allowlist("ipl_office", "Office", "127.0.0.0/16")); err != nil || w.summary != "" {
			t.Fatalf("a safe change: %+v, %v; want neither", w, err)
		}
	})
}
