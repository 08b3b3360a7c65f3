package provider_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
)

const settingsAddr = "engage_security_settings.test"

// The IdP certificates the tests use expire at fixed times, so the derived
// expiry can be asserted exactly.
var (
	idpCertNotAfter     = time.Date(2045, 6, 30, 12, 0, 0, 0, time.UTC)
	expiredCertNotAfter = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
)

// testAccIdPCertificate returns a self-signed ECDSA certificate, PEM-encoded,
// expiring at notAfter.
func testAccIdPCertificate(t *testing.T, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating a key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "idp.example.com"},
		NotBefore:    notAfter.AddDate(-1, 0, 0),
		NotAfter:     notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("creating a certificate: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// testAccSecuritySettingsConfig renders engage_security_settings.test with
// body as its arguments.
func testAccSecuritySettingsConfig(body string) string {
	return "resource \"engage_security_settings\" \"test\" {\n" + body + "}\n"
}

// testAccSSOConfig renders an sso argument with a complete IdP configuration,
// the certificate embedded as a heredoc (whose value keeps the PEM's final
// newline, so state matches the configuration byte for byte).
func testAccSSOConfig(enabled, enforce bool, certPEM string) string {
	return fmt.Sprintf(`  sso = {
    enabled             = %[1]t
    enforce             = %[2]t
    idp_entity_id       = "https://idp.example.com/entity"
    idp_sso_url         = "https://idp.example.com/sso"
    idp_certificate_pem = <<EOT
%[3]sEOT
  }
`, enabled, enforce, certPEM)
}

// ssoOffCheck is the sso value of an account without SSO.
var ssoOffCheck = knownvalue.ObjectExact(map[string]knownvalue.Check{
	"enabled":                    knownvalue.Bool(false),
	"enforce":                    knownvalue.Bool(false),
	"idp_entity_id":              knownvalue.Null(),
	"idp_sso_url":                knownvalue.Null(),
	"idp_certificate_pem":        knownvalue.Null(),
	"idp_certificate_expires_at": knownvalue.Null(),
})

func ssoAttr(name string) tfjsonpath.Path { return tfjsonpath.New("sso").AtMapKey(name) }

func TestAccSecuritySettings_lifecycle(t *testing.T) {
	cert := testAccIdPCertificate(t, idpCertNotAfter)
	enforced := testAccSecuritySettingsConfig(`
  require_two_factor         = true
  session_timeout_minutes    = 60
  campaign_approval_required = true
` + testAccSSOConfig(true, true, cert))

	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkSecuritySettingsReset(b),
			Steps: []resource.TestStep{
				{
					Config: testAccSecuritySettingsConfig(`
  require_two_factor      = true
  session_timeout_minutes = 60
`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(settingsAddr, plancheck.ResourceActionCreate),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("id"), knownvalue.StringExact("account")),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("sso"), ssoOffCheck),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("id"), knownvalue.StringExact("account")),
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("require_two_factor"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("session_timeout_minutes"), knownvalue.Int64Exact(60)),
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("campaign_approval_required"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("sso"), ssoOffCheck),
					},
				},
				{
					// Enforcing SSO is an update in place; the certificate's
					// expiry is known at plan time.
					Config: enforced,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(settingsAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(settingsAddr, ssoAttr("idp_certificate_expires_at"), knownvalue.StringExact("2045-06-30T12:00:00Z")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("campaign_approval_required"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("sso"), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"enabled":                    knownvalue.Bool(true),
							"enforce":                    knownvalue.Bool(true),
							"idp_entity_id":              knownvalue.StringExact("https://idp.example.com/entity"),
							"idp_sso_url":                knownvalue.StringExact("https://idp.example.com/sso"),
							"idp_certificate_pem":        knownvalue.StringExact(cert),
							"idp_certificate_expires_at": knownvalue.StringExact("2045-06-30T12:00:00Z"),
						})),
					},
				},
				{
					ResourceName:      settingsAddr,
					ImportState:       true,
					ImportStateId:     "account",
					ImportStateVerify: true,
				},
				{
					ResourceName:    settingsAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					ImportStateId:   "account",
				},
				{
					// `terraform plan -generate-config-out` writes a
					// configuration that imports with no change.
					ResourceName:    settingsAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					ImportStateId:   "account",
					GenerateConfig:  true,
				},
				{
					// Leaving sso out switches SSO off and forgets the IdP.
					Config: testAccSecuritySettingsConfig(""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(settingsAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("sso"), ssoOffCheck),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("session_timeout_minutes"), knownvalue.Int64Exact(1440)),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("require_two_factor"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("sso"), ssoOffCheck),
					},
				},
			},
		})
	})
}

func TestAccSecuritySettings_defaultsRoundTrip(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkSecuritySettingsReset(b),
			Steps: []resource.TestStep{
				{
					Config: testAccSecuritySettingsConfig(""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(settingsAddr, plancheck.ResourceActionCreate),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("require_two_factor"), knownvalue.Bool(false)),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("session_timeout_minutes"), knownvalue.Int64Exact(1440)),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("campaign_approval_required"), knownvalue.Bool(false)),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("sso"), ssoOffCheck),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					// The IdP may be prepared with SSO off; an explicit sso
					// with only some arguments gets the defaults for the rest.
					Config: testAccSecuritySettingsConfig(`
  sso = {
    idp_entity_id = "urn:example:idp"
  }
`),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(settingsAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(settingsAddr, ssoAttr("enabled"), knownvalue.Bool(false)),
							plancheck.ExpectKnownValue(settingsAddr, ssoAttr("idp_certificate_expires_at"), knownvalue.Null()),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					Config: testAccSecuritySettingsConfig("  sso = null\n"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("sso"), ssoOffCheck)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{
					ResourceName:    settingsAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithID,
					ImportStateId:   "account",
					GenerateConfig:  true,
				},
			},
		})
	})
}

func TestAccSecuritySettings_changedOutsideTerraform(t *testing.T) {
	cert := testAccIdPCertificate(t, idpCertNotAfter)
	config := testAccSecuritySettingsConfig(`
  require_two_factor      = true
  session_timeout_minutes = 30
` + testAccSSOConfig(true, false, cert))

	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkSecuritySettingsReset(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					// Someone relaxes the settings in the console: the refresh
					// sees it and the plan puts them back.
					PreConfig: func() {
						ctx := context.Background()
						s, err := b.Service.GetSecuritySettings(ctx)
						if err != nil {
							t.Fatalf("reading security settings: %v", err)
						}
						s.RequireTwoFactor = false
						s.SessionTimeoutMinutes = 600
						s.SSO.IdPSSOURL = "https://other-idp.example.com/sso"
						if _, err := b.Service.UpdateSecuritySettings(ctx, s); err != nil {
							t.Fatalf("updating security settings out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(settingsAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("session_timeout_minutes"), knownvalue.Int64Exact(30)),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("require_two_factor"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(settingsAddr, ssoAttr("idp_sso_url"), knownvalue.StringExact("https://idp.example.com/sso")),
					},
				},
			},
		})
	})
}

// A singleton cannot be deleted out of band; the nearest thing is a reset to
// the platform defaults, which the next plan undoes.
func TestAccSecuritySettings_resetOutsideTerraform(t *testing.T) {
	cert := testAccIdPCertificate(t, idpCertNotAfter)
	config := testAccSecuritySettingsConfig(`
  campaign_approval_required = true
` + testAccSSOConfig(true, true, cert))

	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkSecuritySettingsReset(b),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						if _, err := b.Service.ResetSecuritySettings(context.Background()); err != nil {
							t.Fatalf("resetting security settings out of band: %v", err)
						}
					},
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(settingsAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(settingsAddr, ssoAttr("enforce"), knownvalue.Bool(true)),
							plancheck.ExpectKnownValue(settingsAddr, ssoAttr("idp_certificate_expires_at"), knownvalue.StringExact("2045-06-30T12:00:00Z")),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(settingsAddr, tfjsonpath.New("campaign_approval_required"), knownvalue.Bool(true)),
						statecheck.ExpectKnownValue(settingsAddr, ssoAttr("enforce"), knownvalue.Bool(true)),
					},
				},
			},
		})
	})
}

// An expired certificate only stops SSO from being enforced: with password
// logins still on, it plans with a warning and applies.
func TestAccSecuritySettings_expiredCertificateWithoutEnforcing(t *testing.T) {
	expired := testAccIdPCertificate(t, expiredCertNotAfter)
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			CheckDestroy:             checkSecuritySettingsReset(b),
			Steps: []resource.TestStep{{
				Config: testAccSecuritySettingsConfig(testAccSSOConfig(true, false, expired)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(settingsAddr, ssoAttr("idp_certificate_expires_at"), knownvalue.StringExact("2021-01-01T00:00:00Z")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			}},
		})
	})
}

func TestAccSecuritySettings_invalidConfigurationFailsAtPlan(t *testing.T) {
	cert := testAccIdPCertificate(t, idpCertNotAfter)
	expired := testAccIdPCertificate(t, expiredCertNotAfter)
	notX509 := "-----BEGIN CERTIFICATE-----\nR0FSQkFHRUdBUkJBR0U=\n-----END CERTIFICATE-----\n"
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"session timeout below 5 minutes": {
			config: testAccSecuritySettingsConfig("  session_timeout_minutes = 4\n"),
			want:   wrappedText("Attribute session_timeout_minutes value must be between 5 and 10080, got: 4"),
		},
		"session timeout above one week": {
			config: testAccSecuritySettingsConfig("  session_timeout_minutes = 10081\n"),
			want:   wrappedText("Attribute session_timeout_minutes value must be between 5 and 10080, got: 10081"),
		},
		"http IdP URL": {
			config: testAccSecuritySettingsConfig(strings.Replace(testAccSSOConfig(false, false, cert), "https://idp.example.com/sso", "http://idp.example.com/sso", 1)),
			want:   wrappedText(`Invalid IdP SSO URL .* sso.idp_sso_url: must be an https:// URL, got "http://idp.example.com/sso"`),
		},
		"IdP URL with a password, which the message does not repeat": {
			config: testAccSecuritySettingsConfig(strings.Replace(testAccSSOConfig(false, false, cert), "https://idp.example.com/sso", "https://admin:hunter2@idp.example.com/sso", 1)),
			want:   wrappedText(`Invalid IdP SSO URL .* sso.idp_sso_url: must not contain a user name or password`),
		},
		"garbage certificate": {
			config: testAccSecuritySettingsConfig(testAccSSOConfig(true, false, "not a certificate\n")),
			want:   wrappedText(`Invalid IdP certificate .* sso.idp_certificate_pem: must be a PEM-encoded X.509 certificate`),
		},
		"PEM block that is not X.509": {
			config: testAccSecuritySettingsConfig(testAccSSOConfig(true, false, notX509)),
			want:   wrappedText(`Invalid IdP certificate .* sso.idp_certificate_pem: is not a valid X.509 certificate`),
		},
		"two certificates": {
			config: testAccSecuritySettingsConfig(testAccSSOConfig(true, false, cert+cert)),
			want:   wrappedText(`sso.idp_certificate_pem: must hold exactly one certificate`),
		},
		"empty entity id": {
			config: testAccSecuritySettingsConfig(strings.Replace(testAccSSOConfig(false, false, cert), `"https://idp.example.com/entity"`, `""`, 1)),
			want:   wrappedText(`Attribute sso.idp_entity_id string length must be at least 1, got: 0`),
		},
		"enforcing SSO that is off": {
			config: testAccSecuritySettingsConfig("  sso = { enforce = true }\n"),
			want:   wrappedText("Attribute sso.enforce " + access.SSOEnforceMessage),
		},
		"enforcing SSO that is explicitly disabled": {
			config: testAccSecuritySettingsConfig(testAccSSOConfig(false, true, cert)),
			want:   wrappedText("Attribute sso.enforce cannot be true unless SSO is enabled"),
		},
		"enabling SSO without an IdP names every missing attribute": {
			config: testAccSecuritySettingsConfig("  sso = {\n    enabled = true\n    enforce = true\n  }\n"),
			want: wrappedText("Attribute sso.idp_entity_id is required when SSO is enabled" +
				" .* Attribute sso.idp_sso_url is required when SSO is enabled" +
				" .* Attribute sso.idp_certificate_pem is required when SSO is enabled"),
		},
		"enforcing SSO with an expired certificate": {
			config: testAccSecuritySettingsConfig(testAccSSOConfig(true, true, expired)),
			want:   wrappedText("Attribute sso.idp_certificate_pem expired on 2021-01-01T00:00:00Z; SSO cannot be enforced with an expired IdP certificate"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: b.Factories,
					Steps: []resource.TestStep{{
						Config:      tc.config,
						PlanOnly:    true,
						ExpectError: tc.want,
					}},
				})
			})
		})
	}
}

func TestAccSecuritySettings_importNeedsTheAccountID(t *testing.T) {
	acctest.ForEachBackend(t, func(t *testing.T, b *acctest.Backend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: b.Factories,
			Steps: []resource.TestStep{{
				Config:        testAccSecuritySettingsConfig(""),
				ResourceName:  settingsAddr,
				ImportState:   true,
				ImportStateId: "settings",
				ExpectError:   wrappedText(`import them with the ID "account", got "settings"`),
			}},
		})
	})
}

// wrappedText matches text in Terraform's output, which wraps long lines:
// every space in text matches any run of white space, and " .* " any text
// in between.
func wrappedText(text string) *regexp.Regexp {
	parts := strings.Split(text, " .* ")
	for i, p := range parts {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// checkSecuritySettingsReset asserts that destroy left the platform defaults.
func checkSecuritySettingsReset(b *acctest.Backend) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := b.Service.GetSecuritySettings(context.Background())
		if err != nil {
			return err
		}
		got.UpdatedAt, got.Version = time.Time{}, 0
		if want := access.DefaultSecuritySettings(); !reflect.DeepEqual(got, want) {
			return fmt.Errorf("security settings after destroy = %+v, want the platform defaults %+v", got, want)
		}
		return nil
	}
}
