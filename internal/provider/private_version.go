package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// versionKey names the private state entry holding the object's version as
// the provider last read or wrote it. Updates are conditional on it (If-Match
// on REST), so a change made outside Terraform between the plan's refresh and
// the apply fails with "changed outside Terraform" instead of being
// overwritten. Private state keeps it out of plans: a version in a Computed
// attribute would show "(known after apply)" on every update.
//
// Deletes stay unconditional: Terraform (1.11) plans the delete of a resource
// removed from the configuration with the private state from before its
// refresh, so a delete conditional on it would fail after any outside change,
// on every later plan too.
const versionKey = "version"

// privateReader and privateWriter are the halves of the framework's private
// state that requests and responses expose.
type (
	privateReader interface {
		GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	}
	privateWriter interface {
		SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
	}
)

// lastVersion returns the version saved with the state, or zero (an
// unconditional write) when there is none, as in state written by a provider
// that did not save one.
func lastVersion(ctx context.Context, p privateReader, diags *diag.Diagnostics) access.Version {
	raw, d := p.GetKey(ctx, versionKey)
	diags.Append(d...)
	if len(raw) == 0 {
		return 0
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		// Not ours to fail on: the write goes unconditional.
		return 0
	}
	return access.Version(v)
}

// saveVersion records v with the state, as a JSON number (private state
// values must be JSON).
func saveVersion(ctx context.Context, p privateWriter, v access.Version, diags *diag.Diagnostics) {
	diags.Append(p.SetKey(ctx, versionKey, []byte(strconv.FormatInt(int64(v), 10)))...)
}
