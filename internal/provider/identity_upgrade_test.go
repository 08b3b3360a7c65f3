package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// The upgrade tests start from state the provider wrote before it had
// resource identity. That provider is this one with identity taken out at
// the protocol (providerWithoutIdentity): this work changed nothing else, so
// Terraform, seeing no identity schema, writes the very state it wrote with
// the provider before, and the test checks it did. The current provider
// then plans over that state.

// upgradeConfig has one object of every resource type, at the addresses
// identityCases checks.
func upgradeConfig() string {
	return testAccUserConfig("ada@example.com", "Ada", "engage_role.test.id", false) +
		testAccDestinationConfig("Warehouse", sftpTarget, `["raw_data_export"]`) +
		testAccIPAllowlistConfig("Head office", "", testAccEntry("198.51.100.0/24", "")) +
		testAccMaskingColumnConfig("contacts", "email", "") +
		testAccSecuritySettingsConfig("  require_two_factor = true\n")
}

// upgradeAddrs lists the addresses of upgradeConfig, one per type.
func upgradeAddrs() []string {
	addrs := make([]string, 0, len(identityCases))
	for _, c := range identityCases {
		addrs = append(addrs, c.addr)
	}
	return addrs
}

// TestAccIdentity_upgradeBackfillsState: state from the provider before
// identity plans no change with the current one, and the refresh gives
// every object its identity.
func TestAccIdentity_upgradeBackfillsState(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		var gained []statecheck.StateCheck
		for _, c := range identityCases {
			gained = append(gained, c.identityChecks()...)
		}
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks: identityVersionChecks,
			CheckDestroy:           checkUpgradeDestroyed(b),
			Steps: []resource.TestStep{
				{
					ProtoV6ProviderFactories: withoutIdentity(b.Factories),
					Config:                   upgradeConfig(),
					ConfigStateChecks:        []statecheck.StateCheck{expectNoIdentity(upgradeAddrs()...)},
				},
				{
					ProtoV6ProviderFactories: b.Factories,
					Config:                   upgradeConfig(),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: gained,
				},
			},
		})
	})
}

// TestAccIdentity_upgradeWhenObjectsDeletedOutsideTerraform: state from the
// provider before identity whose objects were deleted out of band plans to
// create them again. The refresh that finds them gone must still hand
// Terraform an identity, which such state does not have yet.
func TestAccIdentity_upgradeWhenObjectsDeletedOutsideTerraform(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		ids := map[string]string{}
		var recreated []plancheck.PlanCheck
		var gained []statecheck.StateCheck
		for _, c := range identityCases {
			action := plancheck.ResourceActionCreate
			if c.addr == settingsAddr {
				action = plancheck.ResourceActionUpdate // reset, never gone
			}
			recreated = append(recreated, plancheck.ExpectResourceAction(c.addr, action))
			gained = append(gained, c.identityChecks()...)
		}
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks: identityVersionChecks,
			CheckDestroy:           checkUpgradeDestroyed(b),
			Steps: []resource.TestStep{
				{
					ProtoV6ProviderFactories: withoutIdentity(b.Factories),
					Config:                   upgradeConfig(),
					ConfigStateChecks:        []statecheck.StateCheck{expectNoIdentity(upgradeAddrs()...)},
					Check: func(s *terraform.State) error {
						for _, addr := range upgradeAddrs() {
							ids[addr] = s.RootModule().Resources[addr].Primary.ID
						}
						return nil
					},
				},
				{
					PreConfig:                func() { deleteUpgradeObjects(t, b, ids) },
					ProtoV6ProviderFactories: b.Factories,
					Config:                   upgradeConfig(),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             recreated,
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: gained,
				},
			},
		})
	})
}

// deleteUpgradeObjects deletes every object of upgradeConfig behind
// Terraform's back, holders before what they hold, and resets the settings.
func deleteUpgradeObjects(t *testing.T, b *acctest.Backend, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	svc := b.Service
	for _, del := range []struct {
		what string
		do   func() error
	}{
		{"user", func() error { return svc.DeleteUser(ctx, ids[userAddr], 0) }},
		{"role", func() error { return svc.DeleteRole(ctx, ids[roleAddr], 0) }},
		{"export destination", func() error { return svc.DeleteExportDestination(ctx, ids[destAddr], 0) }},
		{"transfer credential", func() error { return svc.DeleteTransferCredential(ctx, ids[credAddr], 0) }},
		{"IP allowlist", func() error { return svc.DeleteIPAllowlist(ctx, ids[allowlistAddr], 0) }},
		{"masking column", func() error { return svc.DeleteMaskingColumn(ctx, "contacts", "email", 0) }},
		{"security settings (reset)", func() error { _, err := svc.ResetSecuritySettings(ctx); return err }},
	} {
		if err := del.do(); err != nil {
			t.Fatalf("deleting the %s out of band: %v", del.what, err)
		}
	}
}

func checkUpgradeDestroyed(b *acctest.Backend) resource.TestCheckFunc {
	checks := make([]resource.TestCheckFunc, 0, len(identityCases))
	for _, c := range identityCases {
		checks = append(checks, c.checkDestroy(b))
	}
	return resource.ComposeAggregateTestCheckFunc(checks...)
}

// expectNoIdentity checks that state holds no identity for addrs: the state
// the provider wrote before it had one.
func expectNoIdentity(addrs ...string) statecheck.StateCheck { return noIdentityCheck(addrs) }

type noIdentityCheck []string

func (addrs noIdentityCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	found := map[string]bool{}
	for _, r := range req.State.Values.RootModule.Resources {
		found[r.Address] = true
		if r.IdentitySchemaVersion != nil || len(r.IdentityValues) != 0 {
			resp.Error = fmt.Errorf("%s has an identity in state (%v): the state is not from a provider without identity", r.Address, r.IdentityValues)
			return
		}
	}
	for _, addr := range addrs {
		if !found[addr] {
			resp.Error = fmt.Errorf("%s is not in state", addr)
			return
		}
	}
}

// withoutIdentity serves the providers as they were before resource
// identity: no identity schema, and no identity in any response.
func withoutIdentity(factories map[string]func() (tfprotov6.ProviderServer, error)) map[string]func() (tfprotov6.ProviderServer, error) {
	out := make(map[string]func() (tfprotov6.ProviderServer, error), len(factories))
	for name, factory := range factories {
		out[name] = func() (tfprotov6.ProviderServer, error) {
			server, err := factory()
			if err != nil {
				return nil, err
			}
			return providerWithoutIdentity{server}, nil
		}
	}
	return out
}

type providerWithoutIdentity struct{ tfprotov6.ProviderServer }

func (providerWithoutIdentity) GetResourceIdentitySchemas(context.Context, *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov6.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov6.ResourceIdentitySchema{}}, nil
}

func (p providerWithoutIdentity) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := p.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		resp.NewIdentity = nil
	}
	return resp, err
}

func (p providerWithoutIdentity) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := p.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		resp.PlannedIdentity = nil
	}
	return resp, err
}

func (p providerWithoutIdentity) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := p.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		resp.NewIdentity = nil
	}
	return resp, err
}

func (p providerWithoutIdentity) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	resp, err := p.ProviderServer.ImportResourceState(ctx, req)
	if resp != nil {
		for i := range resp.ImportedResources {
			resp.ImportedResources[i].Identity = nil
		}
	}
	return resp, err
}
