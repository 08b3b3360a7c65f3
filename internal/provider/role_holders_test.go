package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// planRoleDestroy runs ModifyPlan for the destroy of role on svc.
func planRoleDestroy(t *testing.T, svc access.Service, role access.Role) diag.Diagnostics {
	t.Helper()
	var state roleModel
	var diags diag.Diagnostics
	roleKind{}.fromObject(context.Background(), &state, role, &diags)
	_, got := modifyPlan(t, &managed[roleModel, access.Role]{kind: roleKind{}, data: &providerData{service: svc}}, &state, nil)
	return append(diags, got...)
}

func TestRoleDestroyWarnsNamingTheUsersWhoHoldIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openMemoryStore(t)
	held, err := s.CreateRole(ctx, access.Role{Name: "Held", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	free, err := s.CreateRole(ctx, access.Role{Name: "Free", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"u1@example.com", "u2@example.com", "u3@example.com", "u4@example.com", "u5@example.com", "u6@example.com", "u7@example.com"} {
		if _, err := s.CreateUser(ctx, access.User{Email: email, DisplayName: "U", RoleID: held.ID}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("a held role warns with the count and the first five emails", func(t *testing.T) {
		diags := planRoleDestroy(t, s, held)
		if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning {
			t.Fatalf("got %v, want one warning", diags)
		}
		detail := diags[0].Detail()
		for _, want := range []string{"held by 7 users (u1@example.com, u2@example.com, u3@example.com, u4@example.com, u5@example.com, and 2 more)", "create_before_destroy"} {
			if !strings.Contains(detail, want) {
				t.Errorf("detail %q lacks %q", detail, want)
			}
		}
	})
	t.Run("a role nobody holds plans its destroy silently", func(t *testing.T) {
		if diags := planRoleDestroy(t, s, free); len(diags) != 0 {
			t.Errorf("got %v, want no diagnostics", diags)
		}
	})
}
