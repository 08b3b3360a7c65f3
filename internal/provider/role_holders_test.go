package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// The destroy warning is asserted here rather than in an acceptance test:
// plan checks see `terraform show -json`, which carries no diagnostics.

// planRoleDestroy runs ModifyPlan for the destroy of role on svc.
func planRoleDestroy(t *testing.T, svc access.Service, role access.Role) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	r := &managed[roleModel, access.Role]{kind: roleKind{}, data: &providerData{service: svc}}
	var schemaResp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	s := schemaResp.Schema
	null := tftypes.NewValue(s.Type().TerraformType(ctx), nil)
	req := resource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: s, Raw: null},
		Plan:   tfsdk.Plan{Schema: s, Raw: null},
		State:  tfsdk.State{Schema: s, Raw: null},
	}
	var state roleModel
	var diags diag.Diagnostics
	roleKind{}.fromObject(ctx, &state, role, &diags)
	diags.Append(req.State.Set(ctx, &state)...)
	if diags.HasError() {
		t.Fatalf("building the request: %v", diags)
	}
	resp := &resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(ctx, req, resp)
	return resp.Diagnostics
}

func TestRoleDestroyWarnsNamingTheUsersWhoHoldIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := store.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
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
