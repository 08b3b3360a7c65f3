package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// Plan checks see `terraform show -json`, which carries no diagnostics, so
// the warnings ModifyPlan gives are asserted here, on the core directly.

// openMemoryStore is a fresh in-memory platform, closed with the test.
func openMemoryStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.OpenMemory(t.Context())
	if err != nil {
		t.Fatalf("OpenMemory: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// modifyPlan runs r's ModifyPlan for plan (nil for a destroy) over state
// (nil for a create), the configuration being the plan, and returns the
// resulting plan (nil for a destroy) and diagnostics.
func modifyPlan[M, O any](t *testing.T, r *managed[M, O], state, plan *M) (*M, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var schemaResp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	s := schemaResp.Schema
	null := tftypes.NewValue(s.Type().TerraformType(ctx), nil)
	req := resource.ModifyPlanRequest{
		Config: tfsdk.Config{Schema: s, Raw: null},
		Plan:   tfsdk.Plan{Schema: s, Raw: null},
		State:  tfsdk.State{Schema: s, Raw: null},
	}
	var diags diag.Diagnostics
	if plan != nil {
		diags.Append(req.Plan.Set(ctx, plan)...)
		req.Config.Raw = req.Plan.Raw
	}
	if state != nil {
		diags.Append(req.State.Set(ctx, state)...)
	}
	if diags.HasError() {
		t.Fatalf("building the request: %v", diags)
	}
	resp := &resource.ModifyPlanResponse{Plan: req.Plan}
	r.ModifyPlan(ctx, req, resp)
	if plan == nil {
		return nil, resp.Diagnostics
	}
	got := new(M)
	if d := resp.Plan.Get(ctx, got); d.HasError() {
		t.Fatalf("reading the modified plan: %v", d)
	}
	return got, resp.Diagnostics
}
