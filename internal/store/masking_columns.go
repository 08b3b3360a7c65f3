package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

const maskingColumnColumns = `table_name, column_name, mask, description, created_at, updated_at, version`

// maskingColumnKind names masking columns in errors.
const maskingColumnKind = "masking column"

// maskingColumnID is how errors and page tokens name a masking column. "/"
// cannot occur in an identifier, so the two parts split back unambiguously.
func maskingColumnID(table, column string) string { return table + "/" + column }

// ListMaskingColumns lists masking columns ordered by table, then column.
// The page token carries both parts of the last key.
func (s *Store) ListMaskingColumns(ctx context.Context, opts access.ListOptions) (access.Page[access.MaskingColumn], error) {
	after, limit, err := pageBounds(opts)
	if err != nil {
		return access.Page[access.MaskingColumn]{}, err
	}
	afterTable, afterColumn, ok := strings.Cut(after, "/")
	if after != "" && !ok {
		return access.Page[access.MaskingColumn]{}, &access.ValidationError{Kind: "list request", Fields: []access.FieldError{
			{Field: "page_token", Message: "is not a page token this API returned"},
		}}
	}
	items := make([]access.MaskingColumn, 0)
	err = s.read(ctx, func(q querier) error {
		items = items[:0] // a retry starts over
		rows, err := q.QueryContext(ctx, `SELECT `+maskingColumnColumns+` FROM masking_columns
			WHERE (table_name, column_name) > (?, ?) ORDER BY table_name, column_name LIMIT ?`,
			afterTable, afterColumn, limit)
		if err != nil {
			return fmt.Errorf("listing masking columns: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanMaskingColumn(rows)
			if err != nil {
				return err
			}
			items = append(items, c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("listing masking columns: %w", err)
		}
		return nil
	})
	if err != nil {
		return access.Page[access.MaskingColumn]{}, err
	}
	items, next := cutPage(items, opts.Limit, func(c access.MaskingColumn) string { return maskingColumnID(c.Table, c.Column) })
	return access.Page[access.MaskingColumn]{Items: items, NextPageToken: next}, nil
}

// GetMaskingColumn reads the masking of one column.
func (s *Store) GetMaskingColumn(ctx context.Context, table, column string) (access.MaskingColumn, error) {
	var c access.MaskingColumn
	err := s.read(ctx, func(q querier) (err error) {
		c, err = getMaskingColumn(ctx, q, table, column)
		return err
	})
	return c, err
}

// CreateMaskingColumn validates c and masks its column. A column that is
// already masked is a conflict: there is one masking per column.
func (s *Store) CreateMaskingColumn(ctx context.Context, c access.MaskingColumn) (access.MaskingColumn, error) {
	if err := access.ValidateMaskingColumn(c); err != nil {
		return access.MaskingColumn{}, err
	}
	var out access.MaskingColumn
	err := s.write(ctx, func(tx *sql.Tx) error {
		existing, err := getMaskingColumn(ctx, tx, c.Table, c.Column)
		switch {
		case err == nil:
			return &access.ConflictError{Kind: maskingColumnKind, ID: maskingColumnID(c.Table, c.Column), Reason: fmt.Sprintf(
				"the column is already masked (mask %q); import it instead of creating it again", existing.Mask)}
		case !errors.Is(err, access.ErrNotFound):
			return err
		}
		now := formatTime(time.Now())
		_, err = tx.ExecContext(ctx, `INSERT INTO masking_columns (table_name, column_name, mask, description, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, 1)`,
			c.Table, c.Column, string(c.Mask), c.Description, now, now)
		if err != nil {
			return fmt.Errorf("inserting masking column %q: %w", maskingColumnID(c.Table, c.Column), err)
		}
		out, err = getMaskingColumn(ctx, tx, c.Table, c.Column)
		return err
	})
	return out, err
}

// UpdateMaskingColumn replaces the mask and description of the column
// c.Table/c.Column; the table and column are its identity and cannot change.
// A non-zero c.Version must match the stored one.
func (s *Store) UpdateMaskingColumn(ctx context.Context, c access.MaskingColumn) (access.MaskingColumn, error) {
	if err := access.ValidateMaskingColumn(c); err != nil {
		return access.MaskingColumn{}, err
	}
	var out access.MaskingColumn
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkMaskingColumnVersion(ctx, tx, c.Table, c.Column, c.Version); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE masking_columns
			SET mask = ?, description = ?, updated_at = ?, version = version + 1
			WHERE table_name = ? AND column_name = ?`,
			string(c.Mask), c.Description, formatTime(time.Now()), c.Table, c.Column)
		if err != nil {
			return fmt.Errorf("updating masking column %q: %w", maskingColumnID(c.Table, c.Column), err)
		}
		out, err = getMaskingColumn(ctx, tx, c.Table, c.Column)
		return err
	})
	return out, err
}

// DeleteMaskingColumn unmasks a column. A non-zero ifVersion must match the
// stored version.
func (s *Store) DeleteMaskingColumn(ctx context.Context, table, column string, ifVersion access.Version) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := checkMaskingColumnVersion(ctx, tx, table, column, ifVersion); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM masking_columns WHERE table_name = ? AND column_name = ?`, table, column); err != nil {
			return fmt.Errorf("deleting masking column %q: %w", maskingColumnID(table, column), err)
		}
		return nil
	})
}

// checkMaskingColumnVersion refuses a write unless the column is masked and
// at ifVersion (when that is not zero).
func checkMaskingColumnVersion(ctx context.Context, tx *sql.Tx, table, column string, ifVersion access.Version) error {
	cur, err := getMaskingColumn(ctx, tx, table, column)
	if err != nil {
		return err
	}
	if ifVersion != 0 && ifVersion != cur.Version {
		return &access.PreconditionFailedError{Kind: maskingColumnKind, ID: maskingColumnID(table, column)}
	}
	return nil
}

func getMaskingColumn(ctx context.Context, q querier, table, column string) (access.MaskingColumn, error) {
	c, err := scanMaskingColumn(q.QueryRowContext(ctx, `SELECT `+maskingColumnColumns+` FROM masking_columns
		WHERE table_name = ? AND column_name = ?`, table, column))
	if errors.Is(err, sql.ErrNoRows) {
		return access.MaskingColumn{}, &access.NotFoundError{Kind: maskingColumnKind, ID: maskingColumnID(table, column)}
	}
	return c, err
}

// scanMaskingColumn reads one row of maskingColumnColumns.
func scanMaskingColumn(row rowScanner) (access.MaskingColumn, error) {
	var (
		c                access.MaskingColumn
		mask             string
		created, updated string
	)
	if err := row.Scan(&c.Table, &c.Column, &mask, &c.Description, &created, &updated, &c.Version); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return access.MaskingColumn{}, err
		}
		return access.MaskingColumn{}, fmt.Errorf("reading a masking column: %w", err)
	}
	c.Mask = access.MaskKind(mask)
	id := maskingColumnID(c.Table, c.Column)
	var err error
	if c.CreatedAt, err = parseTime(created); err != nil {
		return access.MaskingColumn{}, fmt.Errorf("masking column %q: %w", id, err)
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return access.MaskingColumn{}, fmt.Errorf("masking column %q: %w", id, err)
	}
	return c, nil
}
