package wire

import (
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestETagQuotesTheVersion(t *testing.T) {
	t.Parallel()
	if got := ETag(3); got != `"v3"` {
		t.Errorf(`ETag(3) = %s, want "v3"`, got)
	}
}

func TestParseETag(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		want    access.Version
		wantErr bool
	}{
		{"a tag ETag wrote parses back", ETag(42), 42, false},
		{"surrounding spaces are ignored", `  "v7" `, 7, false},
		{"the largest version parses", `"v9223372036854775807"`, 9223372036854775807, false},
		{"a weak tag is refused", `W/"v3"`, 0, true},
		{"an unquoted tag is refused", `v3`, 0, true},
		{"a tag without the v is refused", `"3"`, 0, true},
		{"version zero is refused", `"v0"`, 0, true},
		{"a leading zero is refused", `"v03"`, 0, true},
		{"a negative version is refused", `"v-3"`, 0, true},
		{"a signed version is refused", `"v+3"`, 0, true},
		{"an empty version is refused", `"v"`, 0, true},
		{"a list of tags is refused", `"v1", "v2"`, 0, true},
		{"an overflowing version is refused", `"v9223372036854775808"`, 0, true},
		{"the empty string is refused", ``, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseETag(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseETag(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
