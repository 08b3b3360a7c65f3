package access

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestValidateIPAllowlist(t *testing.T) {
	t.Parallel()
	entries := func(cidrs ...string) []AllowlistEntry {
		out := make([]AllowlistEntry, len(cidrs))
		for i, c := range cidrs {
			out[i] = AllowlistEntry{CIDR: c}
		}
		return out
	}
	cases := map[string]struct {
		list        IPAllowlist
		wantCIDRs   []string // the canonical, sorted entries of a valid list
		wantField   string   // "" means valid
		wantMessage string
	}{
		"bare addresses become host prefixes, sorted": {
			list:      IPAllowlist{Name: "Office", Entries: entries("203.0.113.7", "2001:db8::1", "10.0.0.0/8")},
			wantCIDRs: []string{"10.0.0.0/8", "2001:db8::1/128", "203.0.113.7/32"},
		},
		"an empty list is valid": {
			list:      IPAllowlist{Name: "Empty"},
			wantCIDRs: []string{},
		},
		"a non-canonical prefix names the canonical form": {
			list:        IPAllowlist{Name: "Office", Entries: entries("10.1.2.3/24")},
			wantField:   "entries",
			wantMessage: `use "10.1.2.0/24"`,
		},
		"a bare address and its /32 are duplicates": {
			list:        IPAllowlist{Name: "Office", Entries: entries("10.0.0.1", "10.0.0.1/32")},
			wantField:   "entries",
			wantMessage: "10.0.0.1/32 is listed more than once",
		},
		"an entry's long description is reported on entries, naming the entry": {
			list:        IPAllowlist{Name: "Office", Entries: []AllowlistEntry{{CIDR: "10.0.0.1", Description: strings.Repeat("d", 1025)}}},
			wantField:   "entries",
			wantMessage: "the description of 10.0.0.1/32 must be at most 1024 characters",
		},
		"too many entries": {
			list:        IPAllowlist{Name: "Huge", Entries: make([]AllowlistEntry, MaxAllowlistEntries+1)},
			wantField:   "entries",
			wantMessage: "at most 5000 entries",
		},
		"an empty name": {
			list:        IPAllowlist{Name: ""},
			wantField:   "name",
			wantMessage: "must not be empty",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ValidateIPAllowlist(tc.list)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("ValidateIPAllowlist: %v", err)
				}
				cidrs := make([]string, 0, len(got.Entries))
				for _, e := range got.Entries {
					cidrs = append(cidrs, e.CIDR)
				}
				if !slices.Equal(cidrs, tc.wantCIDRs) {
					t.Errorf("entries = %v, want %v", cidrs, tc.wantCIDRs)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			for _, f := range verr.Fields {
				if f.Field == tc.wantField && strings.Contains(f.Message, tc.wantMessage) {
					return
				}
			}
			t.Errorf("got %v; want field %q saying %q", err, tc.wantField, tc.wantMessage)
		})
	}
}

func TestValidateMaskingColumn(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		column     MaskingColumn
		wantFields []string // nil means valid
	}{
		"a valid column passes":            {column: MaskingColumn{Table: "contacts", Column: "email", Mask: MaskFull}},
		"every mask is accepted":           {column: MaskingColumn{Table: "_t", Column: "c1", Mask: MaskHash}},
		"a table starting with a digit":    {column: MaskingColumn{Table: "1contacts", Column: "email", Mask: MaskFull}, wantFields: []string{"table"}},
		"a column with a dot":              {column: MaskingColumn{Table: "contacts", Column: "a.b", Mask: MaskFull}, wantFields: []string{"column"}},
		"a column of 129 characters":       {column: MaskingColumn{Table: "t", Column: strings.Repeat("c", 129), Mask: MaskFull}, wantFields: []string{"column"}},
		"an unknown mask":                  {column: MaskingColumn{Table: "t", Column: "c", Mask: "blur"}, wantFields: []string{"mask"}},
		"an empty mask is not the default": {column: MaskingColumn{Table: "t", Column: "c"}, wantFields: []string{"mask"}},
		"every bad field is reported":      {column: MaskingColumn{Table: "", Column: "", Mask: "x", Description: strings.Repeat("d", 1025)}, wantFields: []string{"table", "column", "mask", "description"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateMaskingColumn(tc.column)
			if tc.wantFields == nil {
				if err != nil {
					t.Fatalf("ValidateMaskingColumn: %v", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			var got []string
			for _, f := range verr.Fields {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tc.wantFields) {
				t.Errorf("fields = %v, want %v (%v)", got, tc.wantFields, err)
			}
		})
	}
}
