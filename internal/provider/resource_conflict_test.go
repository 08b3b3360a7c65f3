package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestCreateConflictErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openMemoryStore(t)
	taken, err := s.CreateRole(ctx, access.Role{Name: "Taken", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	conflict := &access.ConflictError{Kind: "role", Reason: "the name is already used"}
	r := &managed[roleModel, access.Role]{kind: roleKind{}, data: &providerData{service: s, configuredAt: time.Now().Add(time.Hour)}}

	t.Run("a taken name names the holder and the import block, at the name", func(t *testing.T) {
		t.Parallel()
		var diags diag.Diagnostics
		r.addCreateError(ctx, access.Role{Name: "taken"}, conflict, &diags)
		if len(diags) != 1 {
			t.Fatalf("got %v, want one error", diags)
		}
		d, ok := diags[0].(diag.DiagnosticWithPath)
		if !ok || !d.Path().Equal(path.Root("name")) || d.Summary() != "Role already exists" {
			t.Fatalf("got %#v, want an attribute error at name", diags[0])
		}
		for _, want := range []string{`named "Taken"`, `"` + taken.ID + `"`, "import {\n  to = engage_role.NAME\n  id = \"name:Taken\"\n}", "add one from the old address"} {
			if !strings.Contains(d.Detail(), want) {
				t.Errorf("detail lacks %q:\n%s", want, d.Detail())
			}
		}
	})
	t.Run("a holder gone since the refusal says to apply again, not to import", func(t *testing.T) {
		t.Parallel()
		var diags diag.Diagnostics
		r.addCreateError(ctx, access.Role{Name: "Gone"}, conflict, &diags)
		if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "deleted moments later") || strings.Contains(diags[0].Detail(), "import {") {
			t.Fatalf("got %v", diags)
		}
	})
	t.Run("other errors are reported as the platform said them", func(t *testing.T) {
		t.Parallel()
		var diags diag.Diagnostics
		r.addCreateError(ctx, access.Role{Name: "Taken"}, &access.NotFoundError{Kind: "role", ID: "x"}, &diags)
		if len(diags) != 1 || diags[0].Detail() != `role "x" not found` {
			t.Fatalf("got %v", diags)
		}
	})
}
