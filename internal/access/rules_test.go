package access

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestValidateRole(t *testing.T) {
	t.Parallel()
	c := DefaultCatalog()
	cases := map[string]struct {
		role       Role
		wantFields []string // fields named by the error, in order; nil means valid
	}{
		"a valid role passes":          {role: Role{Name: "Analyst", Permissions: []string{"analytics.insights"}}},
		"a 128-character name passes":  {role: Role{Name: strings.Repeat("é", 128), Permissions: []string{"campaign.view"}}},
		"a 129-character name fails":   {role: Role{Name: strings.Repeat("é", 129), Permissions: []string{"campaign.view"}}, wantFields: []string{"name"}},
		"an empty name fails":          {role: Role{Name: "", Permissions: []string{"campaign.view"}}, wantFields: []string{"name"}},
		"a padded name fails":          {role: Role{Name: " Analyst", Permissions: []string{"campaign.view"}}, wantFields: []string{"name"}},
		"no permissions fail":          {role: Role{Name: "Empty"}, wantFields: []string{"permissions"}},
		"each unknown key is named":    {role: Role{Name: "Typos", Permissions: []string{"campaign.veiw", "campaign.view", "x"}}, wantFields: []string{"permissions", "permissions"}},
		"a too long description fails": {role: Role{Name: "Long", Description: strings.Repeat("d", 1025), Permissions: []string{"campaign.view"}}, wantFields: []string{"description"}},
		"every bad field is reported":  {role: Role{Name: ""}, wantFields: []string{"name", "permissions"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := c.ValidateRole(tc.role)
			if tc.wantFields == nil {
				if err != nil {
					t.Fatalf("ValidateRole: unexpected error %v", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ValidateRole: got %v, want a *ValidationError", err)
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

func TestDeriveRole(t *testing.T) {
	t.Parallel()
	r := DefaultCatalog().DeriveRole(Role{Permissions: []string{"data.export_data", "campaign.view", "data.export_data"}})
	if want := []string{"campaign.view", "data.export_data"}; !slices.Equal(r.Permissions, want) {
		t.Errorf("Permissions = %v, want %v", r.Permissions, want)
	}
	if want := []string{"campaign.view", "data.export_data", "data.view_data", "data.view_segment_table"}; !slices.Equal(r.EffectivePermissions, want) {
		t.Errorf("EffectivePermissions = %v, want %v", r.EffectivePermissions, want)
	}
	if !r.Sensitive {
		t.Error("a role exporting data must be sensitive")
	}
}

func TestValidationErrorOrNil(t *testing.T) {
	t.Parallel()
	if err := (&ValidationError{}).OrNil(); err != nil {
		t.Errorf("empty ValidationError.OrNil() = %v, want nil", err)
	}
	var nilErr *ValidationError
	if err := nilErr.OrNil(); err != nil {
		t.Errorf("nil ValidationError.OrNil() = %v, want nil", err)
	}
}
