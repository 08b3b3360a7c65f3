package apiserver

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// AllowLockoutHeader is wire.AllowLockoutHeader: set to "true" on an
// allowlist write, it lets the write shut the caller out.
const AllowLockoutHeader = wire.AllowLockoutHeader

// guardLockout asks the allowlist write h makes to keep the caller's own
// address inside the enabled lists (access.WithLockoutGuard): the store
// refuses, in the write's transaction, a change that would shut the caller
// out, which writeError answers with 409 (wire.ProblemLockout) naming the
// address and the ways out. No client can lock everyone out by mistake:
// the provider guards its own plans, this guards every client, and two
// concurrent writes on two replicas cannot do together what neither may
// alone. It runs only where the server enforces allowlists; the recovery
// from a deliberate lockout is `terraform-provider-engage admin allowlists
// disable-all`.
func (s *server) guardLockout(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.enforcesAllowlists {
			h(w, r)
			return
		}
		switch override := r.Header.Get(AllowLockoutHeader); {
		case strings.EqualFold(override, "true"):
			h(w, r)
			return
		case override != "" && !strings.EqualFold(override, "false"):
			// "1" or "yes" must not read as a refusal of the override.
			s.writeError(w, r, &requestError{status: http.StatusBadRequest, typ: wire.ProblemInvalid, title: "Invalid request",
				detail: AllowLockoutHeader + " takes true or false", fields: []wire.FieldError{{Field: AllowLockoutHeader, Message: "takes true or false"}}})
			return
		}
		caller, err := netip.ParseAddr(clientIP(r))
		if err != nil {
			h(w, r)
			return
		}
		h(w, r.WithContext(access.WithLockoutGuard(r.Context(), caller.Unmap())))
	}
}
