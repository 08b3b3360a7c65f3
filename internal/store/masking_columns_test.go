package store

import (
	"encoding/base64"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func mustCreateMaskingColumn(t *testing.T, s *Store, table, column string, mask access.MaskKind) access.MaskingColumn {
	t.Helper()
	c, err := s.CreateMaskingColumn(t.Context(), access.MaskingColumn{Table: table, Column: column, Mask: mask})
	if err != nil {
		t.Fatalf("CreateMaskingColumn(%s/%s): %v", table, column, err)
	}
	return c
}

func TestMaskingColumnCRUDRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()

		created, err := s.CreateMaskingColumn(ctx, access.MaskingColumn{
			Table:       "contacts",
			Column:      "email",
			Mask:        access.MaskPartial,
			Description: "Shown as a***@example.com.",
			Version:     42, // computed: ignored on create
		})
		if err != nil {
			t.Fatalf("CreateMaskingColumn: %v", err)
		}
		if created.Table != "contacts" || created.Column != "email" || created.Mask != access.MaskPartial || created.Version != 1 {
			t.Errorf("CreateMaskingColumn = %+v; want contacts/email, partial, version 1", created)
		}
		if created.CreatedAt.IsZero() || !created.CreatedAt.Equal(created.UpdatedAt) {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v; want equal and set", created.CreatedAt, created.UpdatedAt)
		}
		got, err := s.GetMaskingColumn(ctx, "contacts", "email")
		if err != nil || !reflect.DeepEqual(got, created) {
			t.Errorf("GetMaskingColumn = %+v, %v\nwant the created column %+v", got, err, created)
		}

		update := created
		update.Mask = access.MaskHash
		update.Description = ""
		updated, err := s.UpdateMaskingColumn(ctx, update)
		if err != nil {
			t.Fatalf("UpdateMaskingColumn: %v", err)
		}
		if updated.Mask != access.MaskHash || updated.Description != "" || updated.Version != 2 {
			t.Errorf("UpdateMaskingColumn = %+v; want hash, no description, version 2", updated)
		}
		if !updated.CreatedAt.Equal(created.CreatedAt) || updated.UpdatedAt.Before(created.UpdatedAt) {
			t.Errorf("timestamps after update = %v, %v; want created_at kept and updated_at not earlier", updated.CreatedAt, updated.UpdatedAt)
		}
		if got, _ := s.GetMaskingColumn(ctx, "contacts", "email"); !reflect.DeepEqual(got, updated) {
			t.Errorf("GetMaskingColumn after update = %+v\nwant %+v", got, updated)
		}

		if err := s.DeleteMaskingColumn(ctx, "contacts", "email", updated.Version); err != nil {
			t.Fatalf("DeleteMaskingColumn: %v", err)
		}
		for name, err := range map[string]error{
			"GetMaskingColumn":    second(s.GetMaskingColumn(ctx, "contacts", "email")),
			"UpdateMaskingColumn": second(s.UpdateMaskingColumn(ctx, updated)),
			"DeleteMaskingColumn": s.DeleteMaskingColumn(ctx, "contacts", "email", 0),
		} {
			var nf *access.NotFoundError
			if !errors.As(err, &nf) || nf.Kind != "masking column" || nf.ID != "contacts/email" || !errors.Is(err, access.ErrNotFound) {
				t.Errorf("%s after delete: got %v, want a masking column *access.NotFoundError for contacts/email", name, err)
			}
		}
	})
}

func TestMaskingAColumnTwiceIsAConflict(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		first := mustCreateMaskingColumn(t, s, "contacts", "phone", access.MaskFull)

		_, err := s.CreateMaskingColumn(ctx, access.MaskingColumn{Table: "contacts", Column: "phone", Mask: access.MaskHash})
		var conflict *access.ConflictError
		if !errors.As(err, &conflict) || !errors.Is(err, access.ErrConflict) || conflict.ID != "contacts/phone" {
			t.Fatalf("second CreateMaskingColumn: got %v, want an *access.ConflictError for contacts/phone", err)
		}
		if !strings.Contains(conflict.Reason, `already masked (mask "full")`) {
			t.Errorf("reason %q does not say the column is already masked, and how", conflict.Reason)
		}
		if got, _ := s.GetMaskingColumn(ctx, "contacts", "phone"); !reflect.DeepEqual(got, first) {
			t.Errorf("the refused create changed the column: %+v", got)
		}

		t.Run("identifiers are compared exactly", func(t *testing.T) {
			if _, err := s.CreateMaskingColumn(ctx, access.MaskingColumn{Table: "Contacts", Column: "phone", Mask: access.MaskFull}); err != nil {
				t.Errorf("masking Contacts/phone beside contacts/phone: %v", err)
			}
		})
	})
}

func TestMaskingColumnValidation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		mustCreateMaskingColumn(t, s, "contacts", "email", access.MaskFull)
		cases := []struct {
			name        string
			column      access.MaskingColumn
			wantField   string
			wantMessage string
		}{
			{
				name:        "a table that is not an identifier",
				column:      access.MaskingColumn{Table: "contacts-2024", Column: "email", Mask: access.MaskFull},
				wantField:   "table",
				wantMessage: `"contacts-2024" is not an identifier`,
			},
			{
				name:        "a column that is not an identifier",
				column:      access.MaskingColumn{Table: "contacts", Column: "e mail", Mask: access.MaskFull},
				wantField:   "column",
				wantMessage: "is not an identifier",
			},
			{
				name:        "an unknown mask",
				column:      access.MaskingColumn{Table: "contacts", Column: "email", Mask: "blur"},
				wantField:   "mask",
				wantMessage: `must be one of "full", "partial", "hash", got "blur"`,
			},
			{
				name:        "a description over 1024 characters",
				column:      access.MaskingColumn{Table: "contacts", Column: "email", Mask: access.MaskFull, Description: strings.Repeat("d", 1025)},
				wantField:   "description",
				wantMessage: "at most 1024 characters",
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.CreateMaskingColumn(t.Context(), tc.column)
				assertFieldError(t, err, tc.wantField, tc.wantMessage)
				_, err = s.UpdateMaskingColumn(t.Context(), tc.column)
				assertFieldError(t, err, tc.wantField, tc.wantMessage)
			})
		}
	})
}

func TestMaskingColumnWritesWithAStaleVersionAreRefused(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		c := mustCreateMaskingColumn(t, s, "contacts", "birthday", access.MaskFull)
		stale := c
		c.Mask = access.MaskPartial
		if _, err := s.UpdateMaskingColumn(ctx, c); err != nil { // now at version 2
			t.Fatalf("UpdateMaskingColumn: %v", err)
		}
		stale.Mask = access.MaskHash
		_, updateErr := s.UpdateMaskingColumn(ctx, stale)
		for op, err := range map[string]error{
			"UpdateMaskingColumn": updateErr,
			"DeleteMaskingColumn": s.DeleteMaskingColumn(ctx, "contacts", "birthday", 1),
		} {
			var pf *access.PreconditionFailedError
			if !errors.As(err, &pf) || pf.ID != "contacts/birthday" {
				t.Errorf("%s with version 1: got %v, want an *access.PreconditionFailedError for contacts/birthday", op, err)
			}
		}
		if got, _ := s.GetMaskingColumn(ctx, "contacts", "birthday"); got.Mask != access.MaskPartial || got.Version != 2 {
			t.Errorf("stored column = %q at version %d; want partial at version 2", got.Mask, got.Version)
		}
	})
}

func TestListMaskingColumnsPagesByTableThenColumn(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		// Created out of order; a page boundary falls inside a table, so the
		// token must carry the column as well as the table.
		for _, id := range []string{"orders/ship_to", "contacts/phone", "contacts/email", "a/z", "contacts/birthday", "b/a", "orders/bill_to"} {
			table, column, _ := strings.Cut(id, "/")
			mustCreateMaskingColumn(t, s, table, column, access.MaskFull)
		}
		want := []string{"a/z", "b/a", "contacts/birthday", "contacts/email", "contacts/phone", "orders/bill_to", "orders/ship_to"}

		var got []string
		var sizes []int
		opts := access.ListOptions{Limit: 3}
		for {
			page, err := s.ListMaskingColumns(ctx, opts)
			if err != nil {
				t.Fatalf("ListMaskingColumns(%+v): %v", opts, err)
			}
			sizes = append(sizes, len(page.Items))
			for _, c := range page.Items {
				got = append(got, c.Table+"/"+c.Column)
			}
			if page.NextPageToken == "" {
				break
			}
			if len(sizes) > 5 {
				t.Fatal("pagination does not end")
			}
			opts.PageToken = page.NextPageToken
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged columns = %v\nwant each once, by table then column: %v", got, want)
		}
		if !slices.Equal(sizes, []int{3, 3, 1}) {
			t.Errorf("page sizes = %v, want [3 3 1]", sizes)
		}

		all, err := s.ListMaskingColumns(ctx, access.ListOptions{})
		if err != nil || len(all.Items) != len(want) || all.NextPageToken != "" {
			t.Errorf("ListMaskingColumns without a limit = %d columns, token %q, %v; want all %d, no token", len(all.Items), all.NextPageToken, err, len(want))
		}
	})
}

func TestListMaskingColumnsRefusesBadOptions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		cases := []struct {
			name      string
			opts      access.ListOptions
			wantField string
		}{
			{"a negative limit", access.ListOptions{Limit: -1}, "limit"},
			{"a token that is not base64", access.ListOptions{PageToken: "not a token!"}, "page_token"},
			{"a token without both parts of the key", access.ListOptions{PageToken: base64.RawURLEncoding.EncodeToString([]byte("contacts"))}, "page_token"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.ListMaskingColumns(t.Context(), tc.opts)
				assertFieldError(t, err, tc.wantField, "")
			})
		}
	})
}
