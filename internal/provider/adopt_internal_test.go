package provider

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

func TestCreateOrAdopt(t *testing.T) {
	t.Parallel()
	existing := access.Role{Name: "Analyst", Description: "Reads", Permissions: []string{"campaign.view", "analytics.insights"}}
	tests := []struct {
		name        string
		want        access.Role
		create      func(context.Context, access.Role) (access.Role, error) // nil: the store's CreateRole
		wantAdopted bool
		wantErr     []string // substrings of the error, when one is expected
		wantNoHint  bool     // the error must not suggest an import
	}{
		{
			name:        "an identical role is adopted with a warning, permissions in any order",
			want:        access.Role{Name: "Analyst", Description: "Reads", Permissions: []string{"analytics.insights", "campaign.view"}},
			wantAdopted: true,
		},
		{
			name:    "a role differing in description is a conflict naming its id and how to import it",
			want:    access.Role{Name: "Analyst", Description: "Writes", Permissions: []string{"campaign.view", "analytics.insights"}},
			wantErr: []string{"already used", "differs from this configuration", "terraform import with ID \"rol_"},
		},
		{
			name:    "a role differing in letter case is a conflict",
			want:    access.Role{Name: "ANALYST", Description: "Reads", Permissions: []string{"campaign.view", "analytics.insights"}},
			wantErr: []string{"already used", "terraform import"},
		},
		{
			name:       "a system role is neither adopted nor offered for import",
			want:       access.Role{Name: "Read Only", Permissions: []string{"campaign.view"}},
			wantErr:    []string{"already used"},
			wantNoHint: true,
		},
		{
			name: "a conflict not on the name comes back unchanged",
			want: access.Role{Name: "Nobody has this name", Permissions: []string{"campaign.view"}},
			create: func(context.Context, access.Role) (access.Role, error) {
				return access.Role{}, &access.ConflictError{Kind: "role", Reason: "something else"}
			},
			wantErr: []string{"role: something else"},
		},
		{
			name: "other errors come back unchanged",
			want: access.Role{Name: "Analyst", Description: "Reads", Permissions: []string{"campaign.view", "analytics.insights"}},
			create: func(context.Context, access.Role) (access.Role, error) {
				return access.Role{}, access.ErrUnauthorized
			},
			wantErr: []string{"unauthorized"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			svc, err := store.OpenMemory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer svc.Close()
			orphan, err := svc.CreateRole(ctx, existing)
			if err != nil {
				t.Fatal(err)
			}
			create := tt.create
			if create == nil {
				create = svc.CreateRole
			}
			var diags diag.Diagnostics
			got, err := createOrAdopt(ctx, tt.want, create, roleAdoption(svc), &diags)
			if tt.wantAdopted {
				if err != nil || got.ID != orphan.ID {
					t.Fatalf("got %q, %v; want the existing role %q adopted", got.ID, err, orphan.ID)
				}
				if diags.WarningsCount() != 1 || !strings.Contains(diags[0].Summary(), "Adopted an existing role") ||
					!strings.Contains(diags[0].Detail(), "interrupted") || !strings.Contains(diags[0].Detail(), orphan.ID) {
					t.Fatalf("diagnostics %v; want one warning naming the role and the likely cause", diags)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %+v; want an error", got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if tt.wantNoHint && strings.Contains(err.Error(), "import") {
				t.Errorf("error %q suggests an import", err)
			}
			if tt.create == nil && !errors.Is(err, access.ErrConflict) {
				t.Errorf("error %v is no longer a conflict", err)
			}
			if len(diags) != 0 {
				t.Errorf("diagnostics %v; want none besides the error", diags)
			}
		})
	}
}
