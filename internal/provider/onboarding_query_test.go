package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
)

// The onboarding example: a configuration with only the provider, and one
// query file listing every type.
var onboardingExample = []string{"../../examples/onboarding/main.tf", "../../examples/onboarding/onboard.tfquery.hcl"}

// largeAccount is how many objects of each type seedLargeAccount creates
// (and the one security settings object): 811 in all, the users on two
// pages of the platform's listing.
var largeAccount = map[string]int{
	"engage_role":                120,
	"engage_user":                600,
	"engage_masking_column":      50,
	"engage_ip_allowlist":        10,
	"engage_transfer_credential": 10,
	"engage_export_destination":  20,
	"engage_security_settings":   1,
}

// seedLargeAccount builds an account outside Terraform, as years of console
// work would: roles (every third sensitive), users spread over them and the
// system roles (every seventh disabled), masked columns over five tables,
// allowlists (half enabled), credentials with secrets, destinations of both
// kinds, and settings away from the defaults.
func seedLargeAccount(t *testing.T, svc access.Service) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seeding %s: %v", what, err)
		}
	}
	var roleIDs []string
	for i := range largeAccount["engage_role"] {
		perms := []string{"campaign.view"}
		if i%3 == 0 {
			perms = append(perms, "data.personal_info")
		}
		r, err := svc.CreateRole(ctx, access.Role{Name: fmt.Sprintf("Team %03d", i), Description: fmt.Sprintf("team %d", i), Permissions: perms})
		must("a role", err)
		roleIDs = append(roleIDs, r.ID)
	}
	roleIDs = append(roleIDs, access.ReadOnlyRoleID, access.FullAdminRoleID)
	for i := range largeAccount["engage_user"] {
		_, err := svc.CreateUser(ctx, access.User{
			Email: fmt.Sprintf("person.%03d@example.com", i), DisplayName: fmt.Sprintf("Person %d", i),
			RoleID: roleIDs[i%len(roleIDs)], Disabled: i%7 == 0,
		})
		must("a user", err)
	}
	masks := []access.MaskKind{access.MaskFull, access.MaskPartial, access.MaskHash}
	for i := range largeAccount["engage_masking_column"] {
		_, err := svc.CreateMaskingColumn(ctx, access.MaskingColumn{
			Table: fmt.Sprintf("table_%d", i%5), Column: fmt.Sprintf("column_%02d", i), Mask: masks[i%len(masks)],
		})
		must("a masking column", err)
	}
	for i := range largeAccount["engage_ip_allowlist"] {
		_, err := svc.CreateIPAllowlist(ctx, access.IPAllowlist{
			Name: fmt.Sprintf("office-%d", i), Enabled: i%2 == 0,
			Entries: []access.AllowlistEntry{{CIDR: fmt.Sprintf("198.51.100.%d/32", i), Description: "office"}, {CIDR: fmt.Sprintf("2001:db8:%x::/48", i)}},
		})
		must("an allowlist", err)
	}
	var credIDs []string
	for i := range largeAccount["engage_transfer_credential"] {
		c, err := svc.CreateTransferCredential(ctx, access.TransferCredential{
			Name: fmt.Sprintf("sftp-%d", i), Username: fmt.Sprintf("exporter%d", i), Secret: fmt.Sprintf("console-secret-%d", i),
		})
		must("a credential", err)
		credIDs = append(credIDs, c.ID)
	}
	for i := range largeAccount["engage_export_destination"] {
		d := access.ExportDestination{Name: fmt.Sprintf("destination-%d", i), ExportKinds: []access.ExportKind{access.ExportReport}}
		if i%2 == 0 {
			d.SFTP = &access.SFTPTarget{Host: fmt.Sprintf("sftp%d.example.com", i), Port: 22, Path: "/exports", CredentialID: credIDs[i%len(credIDs)]}
		} else {
			d.S3 = &access.S3Target{Bucket: fmt.Sprintf("exports-%d", i), Region: "eu-west-1", CredentialID: credIDs[i%len(credIDs)]}
			d.ExportKinds = []access.ExportKind{access.ExportCloud}
		}
		_, err := svc.CreateExportDestination(ctx, d)
		must("a destination", err)
	}
	_, err := svc.UpdateSecuritySettings(ctx, access.SecuritySettings{RequireTwoFactor: true, SessionTimeoutMinutes: 120, CampaignApprovalRequired: true})
	must("the settings", err)
}

// TestAccOnboarding_queryGeneratesAWholeAccount is the README's "Onboarding
// an existing account" on an account of more than 500 objects reached over
// REST: the shipped query file finds every object, -generate-config-out
// writes configuration and import blocks, the apply imports them all and
// changes nothing, and the next plan is empty. It logs the seconds and REST
// requests of each command: listing costs pages, never a read per object.
func TestAccOnboarding_queryGeneratesAWholeAccount(t *testing.T) {
	acctest.SkipOnOpenTofu(t, listOnOpenTofu)
	requests := &apiserver.RequestCounter{}
	b := acctest.RESTWith(t, acctest.RESTOptions{Server: func(o *apiserver.Options) { o.Requests = requests }})
	tf := acctest.NewCLI(t, b)
	if v := tf.Version(t); v.LessThan(version.Must(version.NewVersion("1.14.0"))) {
		t.Skipf("Terraform %s: terraform query needs 1.14 or later", v)
	}
	seedLargeAccount(t, b.Service)
	total := 0
	for _, n := range largeAccount {
		total += n
	}
	for _, f := range onboardingExample {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tf.Dir, filepath.Base(f)), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tf.MustRun(t, "init")

	// run runs one command and logs what it cost.
	run := func(args ...string) acctest.Result {
		t.Helper()
		before := requests.Snapshot()
		start := time.Now()
		r := tf.MustRun(t, args...)
		cost := requests.Snapshot().Sub(before)
		t.Logf("terraform %s: %.1f s, %d REST requests %v", args[0], time.Since(start).Seconds(), cost.Total(), cost)
		for route, n := range cost {
			if strings.HasSuffix(route, "/{id}") || strings.HasSuffix(route, "/{table}/{column}") {
				t.Errorf("terraform %s: %d requests to %s; listings must be read by pages, not object by object", args[0], n, route)
			}
		}
		// Pages of 500 per collection (a type of n objects needs
		// n/500+1), the settings, and the client's own few calls.
		if limit := int64(total/500 + 20); cost.Total() > limit {
			t.Errorf("terraform %s made %d requests, want at most %d: %v", args[0], cost.Total(), limit, cost)
		}
		return r
	}

	before := requests.Snapshot()
	query := run("query", "-generate-config-out=generated.tf")
	// 600 users are two pages of 500: two requests, not 600.
	if users := requests.Snapshot().Sub(before)["GET /v1/users"]; users != 2 {
		t.Errorf("listing 600 users took %d requests, want 2 (pages of 500)", users)
	}
	generated, err := os.ReadFile(filepath.Join(tf.Dir, "generated.tf"))
	if err != nil {
		t.Fatalf("terraform query wrote no generated.tf: %v\n%s", err, query.Stdout)
	}
	for typ, n := range largeAccount {
		resources := regexp.MustCompile(`(?m)^resource "`+typ+`" "existing_\d+" \{$`).FindAll(generated, -1)
		imports := regexp.MustCompile(`(?m)^  to\s+= `+typ+`\.existing_\d+$`).FindAll(generated, -1)
		if len(resources) != n || len(imports) != n {
			t.Errorf("%s: %d resource blocks and %d import blocks generated, want %d of each", typ, len(resources), len(imports), n)
		}
	}
	if strings.Contains(string(generated), "console-secret") {
		t.Fatal("the generated configuration holds a credential's secret")
	}
	if t.Failed() {
		t.FailNow()
	}

	apply := run("apply", "-auto-approve")
	want := fmt.Sprintf("Apply complete! Resources: %d imported, 0 added, 0 changed, 0 destroyed.", total)
	if !strings.Contains(apply.Stdout, want) {
		t.Fatalf("the apply of the generated configuration did not import everything and change nothing; want %q in:\n%s", want, tail(apply.Stdout, 40))
	}
	for i := range largeAccount["engage_transfer_credential"] {
		cred := credentialByName(t, b, fmt.Sprintf("sftp-%d", i))
		if ok, err := b.Platform.TransferSecretMatches(context.Background(), cred.ID, fmt.Sprintf("console-secret-%d", i)); err != nil || !ok {
			t.Errorf("%s: onboarding replaced the secret set in the console (%v)", cred.Name, err)
		}
	}
	run("plan", "-detailed-exitcode")

	// With Terraform's default limit of 100, the listing is cut short and
	// the provider says so, naming the way out.
	r := tf.MustRun(t, "query", "-var", "list_limit=100")
	// Terraform wraps a diagnostic's lines.
	words := strings.Join(strings.Fields(r.Stdout+r.Stderr), " ")
	if !strings.Contains(words, "More user objects than the list block's limit") ||
		!strings.Contains(words, "Set `limit` in the list block") {
		t.Errorf("a query cut short by its limit did not warn:\n%s", tail(r.Stdout+r.Stderr, 30))
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
