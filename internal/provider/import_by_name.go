package provider

import (
	"context"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// importNamePrefix selects import by natural key instead of id, e.g.
// `terraform import engage_role.x name:Analyst`.
const importNamePrefix = "name:"

// parseNameImportID recognises `name:<name>`.
func parseNameImportID(importID string) (string, bool) {
	return strings.CutPrefix(importID, importNamePrefix)
}

// nameImportID is the import ID of the object named name.
func nameImportID(name string) string { return importNamePrefix + name }

// findByName pages through a collection and returns the object whose name
// equals name under the platform's comparison (access.NameKey), or an
// *access.NotFoundError.
func findByName[T any](ctx context.Context, kind, name string,
	list func(context.Context, access.ListOptions) (access.Page[T], error), nameOf func(T) string,
) (T, error) {
	want := access.NameKey(name)
	opts := access.ListOptions{Limit: 500}
	for {
		page, err := list(ctx, opts)
		if err != nil {
			var zero T
			return zero, err
		}
		for _, item := range page.Items {
			if access.NameKey(nameOf(item)) == want {
				return item, nil
			}
		}
		if page.NextPageToken == "" {
			var zero T
			return zero, &access.NotFoundError{Kind: kind, ID: strings.TrimSpace(name)}
		}
		opts.PageToken = page.NextPageToken
	}
}
