package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// listPage runs a keyset-paged list query (its two parameters are the
// exclusive lower bound and the LIMIT) and cuts the page.
func listPage[T any](ctx context.Context, s *Store, opts access.ListOptions, what, query string,
	scan func(rowScanner) (T, error), key func(T) string,
) (access.Page[T], error) {
	after, limit, err := pageBounds(opts)
	if err != nil {
		return access.Page[T]{}, err
	}
	items := make([]T, 0)
	err = s.read(ctx, func(q querier) error {
		items = items[:0] // a retry starts over
		rows, err := q.QueryContext(ctx, query, after, limit)
		if err != nil {
			return fmt.Errorf("listing %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			item, err := scan(rows)
			if err != nil {
				return err
			}
			items = append(items, item)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("listing %s: %w", what, err)
		}
		return nil
	})
	if err != nil {
		return access.Page[T]{}, err
	}
	items, next := cutPage(items, opts.Limit, key)
	return access.Page[T]{Items: items, NextPageToken: next}, nil
}

// checkUniqueName refuses name when another row of table than self already
// uses it under access.NameKey, naming that row. The unique index on name_key
// would refuse it too, but only this check can say who holds the name.
// table is one of this package's constants, never user input.
func checkUniqueName(ctx context.Context, q querier, table, kind, self, name string) error {
	var otherID, otherName string
	err := q.QueryRowContext(ctx, `SELECT id, name FROM `+table+` WHERE name_key = ? AND id <> ?`, access.NameKey(name), self).
		Scan(&otherID, &otherName)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("checking %s name %q: %w", kind, name, err)
	}
	return &access.ConflictError{Kind: kind, ID: self, Reason: fmt.Sprintf(
		"the name %q is already used by %s %q (%s); names are unique regardless of letter case and of compatibility forms such as fullwidth letters", name, kind, otherName, otherID)}
}

// parseTimes parses stored timestamps into dst, in order.
func parseTimes(id string, stored []string, dst ...*time.Time) error {
	for i, s := range stored {
		t, err := parseTime(s)
		if err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		*dst[i] = t
	}
	return nil
}
