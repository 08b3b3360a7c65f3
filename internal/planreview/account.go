package planreview

import (
	"context"
	"fmt"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// ReadAccount lists what the review needs beyond the plan, one list call
// per collection: roles (referenced by literal id), users (holders not in
// the configuration), allowlists (the others still enabled) and the
// settings (before a create). Masking, exports and credentials need no
// more than the plan: what the plan does not touch stays as it is.
func ReadAccount(ctx context.Context, svc access.Service) (*Account, error) {
	var (
		a   Account
		err error
	)
	if a.Roles, err = access.ListAll(ctx, svc.ListRoles); err != nil {
		return nil, fmt.Errorf("listing roles: %w", err)
	}
	if a.Users, err = access.ListAll(ctx, svc.ListUsers); err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	if a.IPAllowlists, err = access.ListAll(ctx, svc.ListIPAllowlists); err != nil {
		return nil, fmt.Errorf("listing IP allowlists: %w", err)
	}
	if a.SecuritySettings, err = svc.GetSecuritySettings(ctx); err != nil {
		return nil, fmt.Errorf("reading the security settings: %w", err)
	}
	return &a, nil
}
