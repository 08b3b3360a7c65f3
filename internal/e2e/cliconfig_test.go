package e2e

import (
	"os"
	"strings"
	"testing"
)

func TestWithMirrorInstallsEachSourceFromItsOwnMirrorAndNothingFromARegistry(t *testing.T) {
	t.Parallel()
	ours := &Terraform{mirrors: []mirror{{path: "/m/ours", sources: []string{ProviderSource}}}}
	peer := ours.WithMirror(t, "/m/peer", "registry.terraform.io/hashicorp/time")
	b, err := os.ReadFile(peer.CLIConfig)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		"filesystem_mirror {\n    path    = \"/m/ours\"\n    include = [\"registry.terraform.io/engage-oss/engage\"]\n  }",
		"filesystem_mirror {\n    path    = \"/m/peer\"\n    include = [\"registry.terraform.io/hashicorp/time\"]\n  }",
		"direct {\n    exclude = [\"registry.terraform.io/engage-oss/engage\", \"registry.terraform.io/hashicorp/time\"]\n  }",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("CLI configuration lacks\n%s\n--- got\n%s", want, got)
		}
	}
	if len(ours.mirrors) != 1 || ours.CLIConfig != "" {
		t.Errorf("WithMirror changed the Terraform it copied: %+v", ours)
	}
}
