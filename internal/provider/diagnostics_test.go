package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestAddServiceError(t *testing.T) {
	t.Parallel()
	t.Run("each invalid field becomes an attribute error at its path", func(t *testing.T) {
		t.Parallel()
		verr := &access.ValidationError{Kind: "settings"}
		verr.Add("permissions", "bad key")
		verr.Add("sso.idp_sso_url", "must use https")
		var diags diag.Diagnostics
		addServiceError(&diags, "Unable to update settings", fmt.Errorf("updating: %w", verr))
		if len(diags) != 2 {
			t.Fatalf("got %d diagnostics, want 2: %v", len(diags), diags)
		}
		want := []path.Path{path.Root("permissions"), path.Root("sso").AtName("idp_sso_url")}
		for i, d := range diags {
			withPath, ok := d.(diag.DiagnosticWithPath)
			if !ok || !withPath.Path().Equal(want[i]) {
				t.Errorf("diagnostic %d: path = %v, want %s", i, d, want[i])
			}
			if d.Summary() != "Unable to update settings" {
				t.Errorf("diagnostic %d: summary = %q", i, d.Summary())
			}
		}
	})
	t.Run("other errors become one error with the cause as detail", func(t *testing.T) {
		t.Parallel()
		var diags diag.Diagnostics
		addServiceError(&diags, "Unable to delete role", &access.ConflictError{Kind: "role", ID: "rol_1", Reason: "role is held by 2 users"})
		if len(diags) != 1 || diags[0].Detail() != `role "rol_1": role is held by 2 users` {
			t.Fatalf("got %v", diags)
		}
		if _, hasPath := diags[0].(diag.DiagnosticWithPath); hasPath {
			t.Errorf("a conflict should not point at an attribute")
		}
	})
}
