package provider

import (
	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// cidrValidator refuses at plan time what the platform refuses at apply: a
// value that is neither an IP address nor a CIDR prefix, and a prefix with
// bits set beyond its mask (10.1.2.3/24), with the canonical form the author
// most likely meant in the message. A bare address is valid: it stands for
// its /32 or /128.
var cidrValidator = platformCheck{description: "CIDR", check: checkCIDR}

func checkCIDR(s string) string {
	if _, err := access.CanonicalCIDR(s); err != nil {
		return err.Error()
	}
	return ""
}
