package store

import (
	"context"
	"slices"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// ListPermissions returns the permission catalog embedded in this build, in
// catalog order. It is a copy: the catalog is shared and immutable.
func (s *Store) ListPermissions(context.Context) ([]access.Permission, error) {
	perms := slices.Clone(s.catalog.Permissions())
	for i := range perms {
		perms[i].Implies = slices.Clone(perms[i].Implies)
	}
	return perms, nil
}
