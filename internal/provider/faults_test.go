package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
	"github.com/engage-oss/terraform-provider-engage/internal/client"
	"github.com/engage-oss/terraform-provider-engage/internal/faults"
	"github.com/engage-oss/terraform-provider-engage/internal/provider"
)

// The fault tests run the real terraform binary against the reference
// server behind a fault injector (internal/faults). They prove that
// retries converge (apply completes, state equals the server, the next plan
// is empty) and that no retried write happens twice.

// faultsMaxRetries is the provider's max_retries in these tests, above the
// injector's MaxConsecutive: every request gets through within its retries.
const faultsMaxRetries = 10

// faultyBackend is the REST backend behind an injector built from cfg, with
// the client's waits between retries shortened (a Retry-After of 1 s is
// capped at retryWaitMax) so that hundreds of retries take seconds; zero
// keeps the client's defaults.
func faultyBackend(t *testing.T, cfg faults.Config, retryWaitMax time.Duration, server func(*apiserver.Options)) (*acctest.Backend, *faults.Injector) {
	t.Helper()
	inj, err := faults.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fault injector seed %d", inj.Seed())
	var opts []provider.Option
	if retryWaitMax > 0 {
		opts = append(opts, provider.WithClientConfig(func(c *client.Config) {
			c.RetryWaitMin, c.RetryWaitMax = retryWaitMax/10, retryWaitMax
		}))
	}
	b := acctest.RESTWith(t, acctest.RESTOptions{Wrap: inj.Wrap, Server: server, Provider: opts})
	return b, inj
}

// testAccFaultsConfig renders roles roles and users users (user i has role
// i mod roles); revision changes every description and display name, and
// permission every role's grant, so that a new revision updates them all.
func testAccFaultsConfig(roles, users int, revision, permission string) string {
	return testAccFaultsConfigWithProvider(fmt.Sprintf(`
provider "engage" {
  max_retries     = %d
  request_timeout = "10s"
}
`, faultsMaxRetries), roles, users, revision, permission)
}

// testAccFaultsConfigWithProvider is testAccFaultsConfig with the given
// provider block (empty for the defaults).
func testAccFaultsConfigWithProvider(providerBlock string, roles, users int, revision, permission string) string {
	return providerBlock + fmt.Sprintf(`

resource "engage_role" "fault" {
  count       = %[1]d
  name        = format("Fault role %%03d", count.index)
  description = "revision %[3]s"
  permissions = [%[4]q]
}

resource "engage_user" "fault" {
  count        = %[2]d
  email        = format("fault-user-%%03d@example.com", count.index)
  display_name = "Fault user ${count.index} revision %[3]s"
  role_id      = engage_role.fault[count.index %% %[1]d].id
}
`, roles, users, revision, permission)
}

// stateMatchesServer checks that every engage_role and engage_user in state
// is on the server with the same attributes, that the server holds nothing
// (besides system roles) that state lacks, and that no name or email is
// there twice: a retried create that created twice would show here.
type stateMatchesServer struct {
	b            *acctest.Backend
	roles, users int
}

func (c stateMatchesServer) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	roles, err := c.b.Service.ListRoles(ctx, access.ListOptions{})
	if err != nil {
		resp.Error = err
		return
	}
	users, err := c.b.Service.ListUsers(ctx, access.ListOptions{})
	if err != nil {
		resp.Error = err
		return
	}
	var problems []string
	roleByID, userByID := map[string]access.Role{}, map[string]access.User{}
	names, emails := map[string]int{}, map[string]int{}
	for _, r := range roles.Items {
		if !r.System {
			roleByID[r.ID] = r
			names[r.Name]++
		}
	}
	for _, u := range users.Items {
		userByID[u.ID] = u
		emails[strings.ToLower(u.Email)]++
	}
	for name, n := range names {
		if n > 1 {
			problems = append(problems, fmt.Sprintf("role %q is on the server %d times", name, n))
		}
	}
	for email, n := range emails {
		if n > 1 {
			problems = append(problems, fmt.Sprintf("user %q is on the server %d times", email, n))
		}
	}
	if len(roleByID) != c.roles || len(userByID) != c.users {
		problems = append(problems, fmt.Sprintf("the server holds %d roles and %d users, want %d and %d",
			len(roleByID), len(userByID), c.roles, c.users))
	}

	seenRoles, seenUsers := 0, 0
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state")
		return
	}
	for _, res := range req.State.Values.RootModule.Resources {
		attrs := res.AttributeValues
		id, _ := attrs["id"].(string)
		switch res.Type {
		case "engage_role":
			seenRoles++
			r, ok := roleByID[id]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: role %s is not on the server", res.Address, id))
				continue
			}
			delete(roleByID, id)
			problems = append(problems, differences(res.Address, attrs, map[string]any{
				"name": r.Name, "description": r.Description, "permissions": r.Permissions,
				"effective_permissions": r.EffectivePermissions, "sensitive": r.Sensitive, "system": r.System,
			})...)
			problems = append(problems, sameTime(res.Address, attrs["created_at"], r.CreatedAt)...)
		case "engage_user":
			seenUsers++
			u, ok := userByID[id]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: user %s is not on the server", res.Address, id))
				continue
			}
			delete(userByID, id)
			problems = append(problems, differences(res.Address, attrs, map[string]any{
				"email": u.Email, "display_name": u.DisplayName, "role_id": u.RoleID, "disabled": u.Disabled,
				"status": string(u.Status), "two_factor_enabled": u.TwoFactorEnabled,
			})...)
			problems = append(problems, sameTime(res.Address, attrs["created_at"], u.CreatedAt)...)
		}
	}
	for id, r := range roleByID {
		problems = append(problems, fmt.Sprintf("role %q (%s) is on the server but not in state", r.Name, id))
	}
	for id, u := range userByID {
		problems = append(problems, fmt.Sprintf("user %q (%s) is on the server but not in state", u.Email, id))
	}
	if seenRoles != c.roles || seenUsers != c.users {
		problems = append(problems, fmt.Sprintf("state holds %d roles and %d users, want %d and %d", seenRoles, seenUsers, c.roles, c.users))
	}
	if len(problems) > 0 {
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("... and %d more", len(problems)-10))
		}
		resp.Error = fmt.Errorf("state differs from the server:\n%s", strings.Join(problems, "\n"))
	}
}

// differences compares state attributes (as JSON decodes them) with the
// server's values; string lists are compared as sets.
func differences(addr string, attrs map[string]any, want map[string]any) []string {
	var out []string
	for key, w := range want {
		got := attrs[key]
		if list, ok := w.([]string); ok {
			var gotList []string
			items, _ := got.([]any)
			for _, it := range items {
				s, _ := it.(string)
				gotList = append(gotList, s)
			}
			slices.Sort(gotList)
			list = slices.Sorted(slices.Values(list))
			if !slices.Equal(gotList, list) {
				out = append(out, fmt.Sprintf("%s.%s = %v in state, %v on the server", addr, key, gotList, list))
			}
			continue
		}
		if got != w {
			out = append(out, fmt.Sprintf("%s.%s = %v in state, %v on the server", addr, key, got, w))
		}
	}
	return out
}

func sameTime(addr string, got any, want time.Time) []string {
	s, _ := got.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Sub(want).Abs() >= time.Second {
		return []string{fmt.Sprintf("%s.created_at = %q in state, %s on the server", addr, s, want.Format(time.RFC3339Nano))}
	}
	return nil
}

// checkNothingLeft is CheckDestroy for the fault tests: no user and no role
// but the system roles remain.
func checkNothingLeft(b *acctest.Backend) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if err := checkRolesDestroyed(b)(s); err != nil {
			return err
		}
		users, err := b.Service.ListUsers(context.Background(), access.ListOptions{})
		if err != nil {
			return err
		}
		if n := len(users.Items); n > 0 {
			return fmt.Errorf("%d users remain after destroy, e.g. %q", n, users.Items[0].Email)
		}
		return nil
	}
}

// logStats logs what the injector did so far, under label.
func logStats(t *testing.T, inj *faults.Injector, label string, start time.Time) resource.TestCheckFunc {
	return func(*terraform.State) error {
		t.Logf("%s after %s: %s", label, time.Since(start).Round(time.Millisecond), inj.Stats())
		return nil
	}
}

// checkInjected fails unless the injector injected at least one fault of
// each of kinds: a fault test whose faults never happened proves nothing.
func checkInjected(inj *faults.Injector, kinds ...faults.Kind) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s := inj.Stats()
		for _, k := range kinds {
			if s.Total(k) == 0 {
				return fmt.Errorf("no %s fault was injected (%s)", k, s)
			}
		}
		return nil
	}
}

// faultyLifecycle is create, update all, destroy of roles + users objects
// under the injector's faults, each step checked against the server.
func faultyLifecycle(t *testing.T, b *acctest.Backend, inj *faults.Injector, roles, users int, kinds ...faults.Kind) {
	t.Helper()
	start := time.Now()
	// faultsSince fails unless faults were injected since the last call: each
	// phase (create, update, destroy) must have met some.
	injectedBefore := 0
	faultsSince := func(phase string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			now := inj.Stats().TotalInjected()
			if now == injectedBefore {
				return fmt.Errorf("no fault was injected during the %s", phase)
			}
			injectedBefore = now
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkNothingLeft(b),
			logStats(t, inj, "destroy", start),
			faultsSince("destroy"),
		),
		Steps: []resource.TestStep{
			{
				Config:            testAccFaultsConfig(roles, users, "1", "campaign.view"),
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{b: b, roles: roles, users: users}},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					logStats(t, inj, "create", start),
					checkInjected(inj, kinds...),
					faultsSince("create"),
				),
			},
			{
				Config: testAccFaultsConfig(roles, users, "2", "campaign.edit"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("engage_role.fault[0]", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction(fmt.Sprintf("engage_user.fault[%d]", users-1), plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{b: b, roles: roles, users: users}},
				Check:             resource.ComposeTestCheckFunc(logStats(t, inj, "update", start), faultsSince("update")),
			},
		},
	})
}

// TestAccFaults_twoHundredObjects is issue 5's fault test: 100 roles and 100
// users created, updated and destroyed while the server answers 429s and
// 503s, resets connections before and after acting, and responds slowly.
func TestAccFaults_twoHundredObjects(t *testing.T) {
	t.Parallel()
	b, inj := faultyBackend(t, faults.Config{
		Seed: 5,
		Rates: map[faults.Kind]float64{
			faults.TooManyRequests: 0.05, faults.Unavailable: 0.05, faults.UnavailableRetryAfter: 0.05,
			faults.ResetBefore: 0.03, faults.ResetAfter: 0.03, faults.Slow: 0.05,
		},
		RetryAfter:     time.Second,
		Latency:        50 * time.Millisecond,
		MaxConsecutive: faultsMaxRetries - 4,
	}, 20*time.Millisecond, nil)
	faultyLifecycle(t, b, inj, 100, 100, faults.Kinds...)
}

// TestAccFaults_lostResponses loses the answer to the first POST, the first
// PUT and the first DELETE after the server has acted on each: the retry
// must neither create a second role, nor fail the update as "changed
// outside Terraform", nor fail the destroy as "not found".
func TestAccFaults_lostResponses(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	lost := map[string]bool{}
	b, inj := faultyBackend(t, faults.Config{
		Choose: func(r *http.Request) faults.Kind {
			mu.Lock()
			defer mu.Unlock()
			route := faults.Route(r)
			if r.Method == http.MethodGet || lost[route] {
				return faults.Pass
			}
			lost[route] = true
			return faults.ResetAfter
		},
	}, 20*time.Millisecond, nil)
	const name = "Lost response role"
	lostOnce := func(route string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			s := inj.Stats()
			if got := s.Injected[faults.ResetAfter][route]; got != 1 {
				return fmt.Errorf("the injector lost %d answers of %s, want 1 (%s)", got, route, s)
			}
			if got := s.Requests[route]; got != 2 {
				return fmt.Errorf("%s was sent %d times, want 2: the lost attempt and its retry (%s)", route, got, s)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkRolesDestroyed(b),
			lostOnce("DELETE /v1/roles/{id}"),
			func(*terraform.State) error {
				// Each retry got the first answer back from the server.
				if s := inj.Stats(); s.Replayed != 3 {
					return fmt.Errorf("%d answers were replayed, want 3: the POST, the PUT and the DELETE (%s)", s.Replayed, s)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				Config:            testAccRoleConfig(name, "first", "campaign.view"),
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{b: b, roles: 1}},
				Check: resource.ComposeTestCheckFunc(
					lostOnce("POST /v1/roles"),
					checkRoleCount(b, name, 1),
					func(*terraform.State) error {
						if s := inj.Stats(); s.Replayed < 1 {
							return fmt.Errorf("the retried POST was not answered from the idempotency store (%s)", s)
						}
						return nil
					},
				),
			},
			{
				Config:            testAccRoleConfig(name, "second", "campaign.edit"),
				ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{b: b, roles: 1}},
				Check:             lostOnce("PUT /v1/roles/{id}"),
			},
		},
	})
}

// TestAccFaults_chaos is issue 7's chaos test: 250 roles and 250 users
// applied while a fifth of the requests get a 503, a tenth a 429, one in
// twenty a reset connection and one in twenty a latency spike.
func TestAccFaults_chaos(t *testing.T) {
	t.Parallel()
	b, inj := faultyBackend(t, faults.Config{
		Seed: 7,
		Rates: map[faults.Kind]float64{
			faults.Unavailable: 0.10, faults.UnavailableRetryAfter: 0.10, faults.TooManyRequests: 0.10,
			faults.ResetBefore: 0.025, faults.ResetAfter: 0.025, faults.Slow: 0.05,
		},
		RetryAfter:     time.Second,
		Latency:        200 * time.Millisecond,
		MaxConsecutive: faultsMaxRetries - 4,
	}, 20*time.Millisecond, nil)
	const roles, users = 250, 250
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		CheckDestroy:             resource.ComposeTestCheckFunc(checkNothingLeft(b), logStats(t, inj, "destroy", start)),
		Steps: []resource.TestStep{{
			Config:            testAccFaultsConfig(roles, users, "1", "campaign.view"),
			ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{b: b, roles: roles, users: users}},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeTestCheckFunc(logStats(t, inj, "create", start), checkInjected(inj, faults.Kinds...)),
		}},
	})
}

// TestAccFaults_rateLimitSoak is issue 7's rate-limit soak: 300 objects
// applied and destroyed with terraform -parallelism=30 against a server
// that accepts 10 requests per second: every 429 must be waited out, not
// turned into a failure. Not parallel: it points TF_ACC_TERRAFORM_PATH at a
// wrapper (see withParallelism).
func TestAccFaults_rateLimitSoak(t *testing.T) {
	withParallelism(t, 30)
	b, inj := faultyBackend(t, faults.Config{}, 0, func(o *apiserver.Options) {
		o.RateLimit, o.RateBurst = 10, 10
	})
	const roles, users = 150, 150
	start := time.Now()
	tookEffect := func(*terraform.State) error {
		// Terraform's default parallelism is 10: more creates under way at
		// once mean -parallelism=30 reached it.
		if s := inj.Stats(); s.MaxPendingWrites <= 10 {
			return fmt.Errorf("at most %d writes were under way at once; -parallelism=30 did not take effect (%s)", s.MaxPendingWrites, s)
		}
		return nil
	}
	limited := func(*terraform.State) error {
		if s := inj.Stats(); s.Statuses[http.StatusTooManyRequests] == 0 {
			return fmt.Errorf("the server never rate limited: the soak proves nothing (%s)", s)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: b.Factories,
		CheckDestroy:             resource.ComposeTestCheckFunc(checkNothingLeft(b), logStats(t, inj, "destroy", start)),
		Steps: []resource.TestStep{{
			// The provider's defaults: max_retries 5, waits as the server says.
			Config:            testAccFaultsConfigWithProvider("", roles, users, "1", "campaign.view"),
			ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer{b: b, roles: roles, users: users}},
			Check:             resource.ComposeTestCheckFunc(logStats(t, inj, "create", start), tookEffect, limited),
		}},
	})
}

// withParallelism makes the test's terraform runs use -parallelism=n.
// plugin-testing has no option for it, and TF_CLI_ARGS_apply does not work:
// terraform-exec always passes -parallelism=10 itself, after the arguments
// Terraform takes from TF_CLI_ARGS_*, so its own value wins. The test
// points TF_ACC_TERRAFORM_PATH at a wrapper that rewrites the flag instead.
func withParallelism(t *testing.T, n int) {
	terraformPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraformPath == "" {
		var err error
		if terraformPath, err = exec.LookPath("terraform"); err != nil {
			t.Fatalf("no terraform binary to wrap: set TF_ACC_TERRAFORM_PATH (%v)", err)
		}
	}
	wrapper := filepath.Join(t.TempDir(), "terraform")
	script := fmt.Sprintf(`#!/bin/sh
for arg; do
  shift
  case "$arg" in -parallelism=*) arg=-parallelism=%d ;; esac
  set -- "$@" "$arg"
done
exec %q "$@"
`, n, terraformPath)
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_ACC_TERRAFORM_PATH", wrapper)
}
