package provider_test

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/engage-oss/terraform-provider-engage/internal/acctest"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
)

// lockedLog is a log sink the server's handlers share.
type lockedLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestAccSecrets_serverLogNeverHoldsASecret runs the canary secrets through
// Terraform and the REST backend (create, rotation, a create the platform
// refuses, a secret the provider refuses at plan time, destroy) with the
// reference server logging at debug level, and asserts that the server's log
// holds neither a canary nor the API token.
func TestAccSecrets_serverLogNeverHoldsASecret(t *testing.T) {
	t.Parallel()
	serverLog := &lockedLog{}
	b := acctest.RESTWith(t, acctest.RESTOptions{Server: func(o *apiserver.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(serverLog, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}})
	configFor := func(version int, extra string) string {
		return fmt.Sprintf(`
variable "secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "engage_transfer_credential" "test" {
  name              = "sftp_prod"
  username          = "exporter"
  secret_wo         = var.secret
  secret_wo_version = %[1]d
}
%[2]s`, version, extra)
	}
	secret := func(s string) config.Variables { return config.Variables{"secret": config.StringVariable(s)} }
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   writeOnlyVersionChecks,
		ProtoV6ProviderFactories: b.Factories,
		Steps: []resource.TestStep{
			{Config: configFor(1, ""), ConfigVariables: secret(canaryCreate), Check: checkSecret(b, credAddr, canaryCreate)},
			{Config: configFor(2, ""), ConfigVariables: secret(canaryRotate), Check: checkSecret(b, credAddr, canaryRotate)},
			{
				// The platform refuses the name (409) of a create carrying a secret.
				Config: configFor(2, `
resource "engage_transfer_credential" "clash" {
  name      = "SFTP_PROD"
  username  = "other"
  secret_wo = var.secret
}`),
				ConfigVariables: secret(canaryRotate),
				ExpectError:     regexp.MustCompile(`(?s)Transfer credential already exists`),
			},
			{
				// A secret over the limit is refused at plan time, by length.
				Config:          configFor(3, ""),
				ConfigVariables: secret(strings.Repeat(canaryFailed, 16*1024/len(canaryFailed)+1)),
				ExpectError:     regexp.MustCompile(`secret_wo`),
			},
		},
	})

	logs := serverLog.String()
	for _, want := range []string{`"route":"POST /v1/transfer-credentials"`, `"route":"PUT /v1/transfer-credentials/{id}"`,
		`"route":"DELETE /v1/transfer-credentials/{id}"`, `"status":409`} {
		if !strings.Contains(logs, want) {
			t.Fatalf("the server log lacks %s: the capture is not working\n%s", want, logs)
		}
	}
	assertNoCanary(t, "the server log", []byte(logs))
	if strings.Contains(logs, b.Token) {
		t.Error("the server log holds the API token")
	}
}
