package store

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Lists are ordered by primary key and paged by cursor: a page token is the
// key of the previous page's last object. Unlike an offset, a cursor neither
// skips nor repeats objects when others are created or deleted between pages.
// Tokens are base64 so that callers treat them as opaque.

func encodePageToken(lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(lastKey))
}

// decodePageToken returns the key a token continues after; "" for the first
// page.
func decodePageToken(token string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// pageBounds turns ListOptions into the query's lower bound (exclusive) and
// LIMIT. It fetches one row more than the page so that the last page is known
// to be last without another query.
func pageBounds(opts access.ListOptions) (after string, limit int, err error) {
	var bad []access.FieldError
	if opts.Limit < 0 {
		bad = append(bad, access.FieldError{Field: "limit", Message: fmt.Sprintf("must not be negative, got %d", opts.Limit)})
	}
	after, ok := decodePageToken(opts.PageToken)
	if !ok {
		bad = append(bad, access.FieldError{Field: "page_token", Message: "is not a page token this API returned"})
	}
	if len(bad) > 0 {
		return "", 0, &access.ValidationError{Kind: "list request", Fields: bad}
	}
	limit = math.MaxInt // no limit, in a form both dialects take (SQLite also takes -1, PostgreSQL NULL)
	if opts.Limit > 0 {
		limit = opts.Limit + 1
	}
	return after, limit, nil
}

// cutPage trims the extra row pageBounds asked for and, when there was one,
// returns the token of the next page.
func cutPage[T any](items []T, limit int, key func(T) string) ([]T, string) {
	if limit <= 0 || len(items) <= limit {
		return items, ""
	}
	items = slices.Clip(items[:limit])
	return items, encodePageToken(key(items[limit-1]))
}
