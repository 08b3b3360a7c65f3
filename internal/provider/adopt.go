package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// An apply interrupted at the wrong moment (the provider killed, the
// machine gone, a network cut after the request left) can leave an object
// the platform created but whose id never reached Terraform's state. The
// next apply plans to create it again, and the platform refuses: its name
// (or email) is taken. Users would have to find the id and import it by
// hand, for an object that is exactly what their configuration asks for.
//
// So a create refused with a conflict looks the object up by its natural
// key, and when every configurable attribute equals the plan, adopts it:
// Terraform records the existing object, with a warning saying so and why.
// Anything else keeps the conflict error, with the import command to take
// the object over deliberately. Adopting only identical objects keeps the
// one risk (two configurations managing one object) to objects that are
// indistinguishable anyway, and applying changes nothing on the platform.

// adoptionNote is the sentence each adopting resource's description ends
// with; key names the natural key ("name").
func adoptionNote(kind, key string) string {
	return " When a create finds its " + key + " taken by an existing " + kind + " whose configurable attributes all match " +
		"(as an interrupted apply leaves one), Terraform adopts it with a warning; otherwise the create fails, suggesting `terraform import`."
}

// adoption says, for one resource type, how to find an object by its natural
// key and whether it is the one a plan asks for.
type adoption[T any] struct {
	kind string // "role", as in messages
	// key returns the natural key of a planned object ("Analyst"), for
	// messages.
	key func(want T) string
	// lookup finds the object holding want's natural key.
	lookup func(ctx context.Context, want T) (T, error)
	// identical reports whether got has every configurable attribute of want.
	identical func(want, got T) bool
	// importID is the ID `terraform import` takes for got; empty when got
	// cannot be managed at all (a system role).
	importID func(got T) string
}

// createOrAdopt creates want with create; when the platform refuses with a
// conflict and the object holding want's natural key is identical to want,
// it returns that object instead, with a warning in diags. Other errors
// come back as create returned them, a conflict with an import hint.
func createOrAdopt[T any](ctx context.Context, want T, create func(context.Context, T) (T, error), a adoption[T], diags *diag.Diagnostics) (T, error) {
	created, err := create(ctx, want)
	if err == nil || !errors.Is(err, access.ErrConflict) {
		return created, err
	}
	existing, lookupErr := a.lookup(ctx, want)
	if lookupErr != nil {
		// The conflict is not on the natural key (or the lookup failed):
		// the create's own error says more.
		return created, err
	}
	if a.importID(existing) == "" {
		return created, err
	}
	if !a.identical(want, existing) {
		return created, fmt.Errorf("%w. It differs from this configuration, so Terraform does not take it over; "+
			"to manage that %s here, import it (terraform import with ID %q, or an import block)",
			err, a.kind, a.importID(existing))
	}
	diags.AddWarning("Adopted an existing "+a.kind,
		fmt.Sprintf("The %s %q (%s) already existed with exactly the configured attributes, so Terraform now manages it "+
			"instead of creating another. The likely cause is an earlier apply that was interrupted after the platform "+
			"created the %s but before Terraform recorded it in state. If it was created outside Terraform on purpose, "+
			"it is now managed by this configuration too.",
			a.kind, a.key(want), a.importID(existing), a.kind))
	return existing, nil
}

// roleAdoption finds roles by name. System roles are read-only: never
// adopted, nor offered for import.
func roleAdoption(svc access.Service) adoption[access.Role] {
	return adoption[access.Role]{
		kind: "role",
		key:  func(want access.Role) string { return want.Name },
		lookup: func(ctx context.Context, want access.Role) (access.Role, error) {
			return svc.GetRoleByName(ctx, want.Name)
		},
		identical: func(want, got access.Role) bool {
			return got.Name == want.Name && got.Description == want.Description &&
				sameStrings(want.Permissions, got.Permissions)
		},
		importID: func(got access.Role) string {
			if got.System {
				return ""
			}
			return got.ID
		},
	}
}

// userAdoption finds users by email. The email must match in letter case
// too: a different spelling is a different configuration.
func userAdoption(svc access.Service) adoption[access.User] {
	return adoption[access.User]{
		kind: "user",
		key:  func(want access.User) string { return want.Email },
		lookup: func(ctx context.Context, want access.User) (access.User, error) {
			return svc.GetUserByEmail(ctx, want.Email)
		},
		identical: func(want, got access.User) bool {
			return got.Email == want.Email && got.DisplayName == want.DisplayName &&
				got.RoleID == want.RoleID && got.Disabled == want.Disabled
		},
		importID: func(got access.User) string { return got.ID },
	}
}

// ipAllowlistAdoption finds lists by name and compares entries in canonical
// form, as the platform stores them.
func ipAllowlistAdoption(svc access.Service) adoption[access.IPAllowlist] {
	return adoption[access.IPAllowlist]{
		kind: "IP allowlist",
		key:  func(want access.IPAllowlist) string { return want.Name },
		lookup: func(ctx context.Context, want access.IPAllowlist) (access.IPAllowlist, error) {
			return findByName(ctx, "IP allowlist", want.Name, svc.ListIPAllowlists,
				func(l access.IPAllowlist) string { return l.Name })
		},
		identical: func(want, got access.IPAllowlist) bool {
			canon := canonicalAllowlist(want)
			return got.Name == want.Name && got.Description == want.Description && got.Enabled == want.Enabled &&
				sameEntries(canon.Entries, got.Entries)
		},
		importID: func(got access.IPAllowlist) string { return got.ID },
	}
}

// maskingColumnAdoption finds a masking by its table and column, which the
// platform compares exactly.
func maskingColumnAdoption(svc access.Service) adoption[access.MaskingColumn] {
	return adoption[access.MaskingColumn]{
		kind: "masking column",
		key:  func(want access.MaskingColumn) string { return want.Table + "/" + want.Column },
		lookup: func(ctx context.Context, want access.MaskingColumn) (access.MaskingColumn, error) {
			return svc.GetMaskingColumn(ctx, want.Table, want.Column)
		},
		identical: func(want, got access.MaskingColumn) bool {
			return got.Mask == want.Mask && got.Description == want.Description
		},
		importID: func(got access.MaskingColumn) string { return got.Table + "/" + got.Column },
	}
}

// sameStrings reports whether a and b hold the same strings, in any order.
func sameStrings(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// sameEntries reports whether a and b hold the same entries, in any order.
func sameEntries(a, b []access.AllowlistEntry) bool {
	key := func(e access.AllowlistEntry) string { return e.CIDR + "\x00" + e.Description }
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i, e := range a {
		ka[i] = key(e)
	}
	for i, e := range b {
		kb[i] = key(e)
	}
	return sameStrings(ka, kb)
}
