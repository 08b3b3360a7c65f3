package provider_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

// Actions need Terraform 1.14. OpenTofu has none: it is skipped by name,
// because its version numbers say nothing about Terraform's features and
// terraform-plugin-testing compares only numbers.
const actionsOnOpenTofu = "actions are a Terraform 1.14 feature that OpenTofu does not have"

var actionVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

const sessionsUserEmail = "ada@example.com"

// revokeSessionsExample is the action's documented example, applied as
// written so that it stays valid. Its user, ada@example.com, holds the
// editor role; a terraform_data following the user's role_id and disabled
// triggers the action after either changes.
const revokeSessionsExample = "../../examples/actions/engage_revoke_sessions/action.tf"

// edited returns config with from replaced by to, failing when from is not
// there: the example changed under the test.
func edited(t *testing.T, config, from, to string) string {
	t.Helper()
	if !strings.Contains(config, from) {
		t.Fatalf("the example no longer holds %q; update this test with it", from)
	}
	return strings.Replace(config, from, to, 1)
}

// logIn records n console logins of the test user on the platform.
func logIn(t *testing.T, b *acctest.Backend, n int) {
	t.Helper()
	u, err := b.Service.GetUserByEmail(t.Context(), sessionsUserEmail)
	if err != nil {
		t.Fatalf("finding the user: %v", err)
	}
	for range n {
		if err := b.Platform.RecordLogin(t.Context(), u.ID, time.Now(), false); err != nil {
			t.Fatalf("RecordLogin: %v", err)
		}
	}
}

// expectOpenSessions checks the platform's count of the test user's open
// sessions.
func expectOpenSessions(t *testing.T, b *acctest.Backend, want int) {
	t.Helper()
	u, err := b.Service.GetUserByEmail(t.Context(), sessionsUserEmail)
	if err != nil {
		t.Fatalf("finding the user: %v", err)
	}
	got, err := b.Platform.CountOpenSessions(t.Context(), u.ID)
	if err != nil {
		t.Fatalf("CountOpenSessions: %v", err)
	}
	if got != want {
		t.Errorf("the user has %d open sessions on the platform, want %d", got, want)
	}
}

func TestAccRevokeSessionsAction_triggeredByARoleOrDisabledChange(t *testing.T) {
	acctest.SkipOnOpenTofu(t, actionsOnOpenTofu)
	asWritten := readExamples(t, revokeSessionsExample)
	renamed := edited(t, asWritten, `display_name = "Ada Lovelace"`, `display_name = "Ada King"`)
	downgraded := edited(t, renamed, "role_id      = engage_role.editor.id", "role_id      = engage_role.viewer.id")
	disabled := edited(t, downgraded, "disabled     = false", "disabled     = true")
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   actionVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{
				{
					// Creating the user triggers nothing (after_update only).
					Config:        asWritten,
					PostApplyFunc: func() { logIn(t, b, 2); expectOpenSessions(t, b, 2) },
				},
				{
					// A new display name is no change of access: the
					// sessions stay.
					Config: renamed,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("engage_user.ada", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("terraform_data.ada_access", plancheck.ResourceActionNoop),
					}},
					PostApplyFunc: func() { expectOpenSessions(t, b, 2) },
				},
				{
					// The downgrade: both sessions end in the same apply.
					Config: downgraded,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("terraform_data.ada_access", plancheck.ResourceActionUpdate),
					}},
					PostApplyFunc: func() { expectOpenSessions(t, b, 0) },
				},
				{
					// Disabling: the session opened since ends too.
					PreConfig:     func() { logIn(t, b, 1) },
					Config:        disabled,
					PostApplyFunc: func() { expectOpenSessions(t, b, 0) },
				},
			},
		})
	})
}

// An id known only during the apply cannot be checked at plan time: the
// platform's not found must still name the id and the way out.
func TestAccRevokeSessionsAction_unknownUserAtApply(t *testing.T) {
	acctest.SkipOnOpenTofu(t, actionsOnOpenTofu)
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   actionVersionChecks,
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{{
				Config: `
resource "terraform_data" "ghost" {
  input = "usr_0000000000000000"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.engage_revoke_sessions.ghost]
    }
  }
}

action "engage_revoke_sessions" "ghost" {
  config {
    user_id = terraform_data.ghost.output
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unable to revoke the user's sessions.*No user has the id\s+"usr_0000000000000000".*engage_user\s+data\s+source`),
			}},
		})
	})
}

// ghostAction names a user that does not exist.
const ghostAction = `
action "engage_revoke_sessions" "ghost" {
  config {
    user_id = "usr_0000000000000000"
  }
}
`

// terraform-plugin-testing v1.16 cannot pass -invoke, so this test runs
// terraform itself, with the provider served from the test as in the steps.
func TestAccRevokeSessionsAction_invokedFromTheCLI(t *testing.T) {
	acctest.SkipOnOpenTofu(t, actionsOnOpenTofu)
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		tf := acctest.NewCLI(t, b)
		if v := tf.Version(t); v.LessThan(version.Must(version.NewVersion("1.14.0"))) {
			t.Skipf("Terraform %s: actions need 1.14 or later", v)
		}
		tf.WriteConfig(t, readExamples(t, revokeSessionsExample)+ghostAction)
		tf.MustRun(t, "init")
		tf.MustRun(t, "apply", "-auto-approve")
		logIn(t, b, 2)

		// Plan and apply in one, as the example's comment says.
		out := tf.MustRun(t, "apply", "-auto-approve", "-invoke=action.engage_revoke_sessions.ada")
		expectOpenSessions(t, b, 0)
		if !strings.Contains(out.Stdout, "Revoked 2 sessions of user usr_") {
			t.Errorf("the apply did not report the revocation:\n%s", out.Stdout)
		}
		// Again: nothing is left to end, which is not an error.
		out = tf.MustRun(t, "apply", "-auto-approve", "-invoke=action.engage_revoke_sessions.ada")
		if !strings.Contains(out.Stdout, "had no open session") {
			t.Errorf("the second apply did not say there was nothing to revoke:\n%s", out.Stdout)
		}
		// An action changes no resource: the configuration plans no change.
		if r := tf.Run(t, "plan", "-detailed-exitcode"); r.Err != nil {
			t.Errorf("plan after the actions is not empty: %v", r)
		}

		// An unknown user is refused at plan time, naming the id and the
		// way out.
		r := tf.Run(t, "plan", "-invoke=action.engage_revoke_sessions.ghost")
		if r.Err == nil {
			t.Fatalf("planning the action for an unknown user succeeded:\n%s", r.Stdout)
		}
		msg := strings.Join(strings.Fields(r.Stderr), " ")
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`No user has the id "usr_0000000000000000"`),
			regexp.MustCompile(`engage_user\.<name>\.id`),
			regexp.MustCompile(`engage_user data source`),
		} {
			if !want.MatchString(msg) {
				t.Errorf("the error does not match %s:\n%s", want, r.Stderr)
			}
		}
	})
}

// TestAccRevokeSessionsAction_beforeDestroy: Terraform 1.16 triggers actions
// on destroy and lets a trigger continue past a failed action. Revoking a
// user's sessions before the user is deleted ends them while the user still
// exists; the action names the user through `caller`, the triggering
// resource (a reference to the resource itself would be a cycle).
func TestAccRevokeSessionsAction_beforeDestroy(t *testing.T) {
	acctest.SkipOnOpenTofu(t, actionsOnOpenTofu)
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		tf := acctest.NewCLI(t, b)
		if v := tf.Version(t); v.LessThan(version.Must(version.NewVersion("1.16.0"))) {
			t.Skipf("Terraform %s: destroy events and on_failure need 1.16 or later", v)
		}
		tf.WriteConfig(t, fmt.Sprintf(`
resource "engage_user" "ada" {
  email        = %q
  display_name = "Ada Lovelace"
  role_id      = "rol_read_only"

  lifecycle {
    action_trigger {
      events     = [before_destroy]
      actions    = [action.engage_revoke_sessions.leaving]
      on_failure = continue
    }
  }
}

action "engage_revoke_sessions" "leaving" {
  config {
    user_id = caller.id
  }
}
`, sessionsUserEmail))
		tf.MustRun(t, "init")
		tf.MustRun(t, "apply", "-auto-approve")
		logIn(t, b, 2)
		out := tf.MustRun(t, "destroy", "-auto-approve")
		if !strings.Contains(out.Stdout, "Revoked 2 sessions of user usr_") || !strings.Contains(out.Stdout, "Actions: 1 invoked") {
			t.Errorf("the destroy did not revoke the sessions first:\n%s", out.Stdout)
		}
		if _, err := b.Service.GetUserByEmail(t.Context(), sessionsUserEmail); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("the user is still on the platform after the destroy (%v)", err)
		}
	})
}
