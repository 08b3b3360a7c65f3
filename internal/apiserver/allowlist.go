package apiserver

import (
	"fmt"
	"net/http"
	"net/netip"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// enforceAllowlists refuses, with 403, a request from an address outside
// every enabled IP allowlist, as the platform does for its console: when no
// list is enabled, every address is allowed. The lists are read per request
// so a change takes effect at once, on every replica.
func (s *server) enforceAllowlists(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr, err := netip.ParseAddr(clientIP(r))
		if err != nil {
			s.writeError(w, r, fmt.Errorf("%w: cannot tell the client's address (%q)", access.ErrForbidden, r.RemoteAddr))
			return
		}
		page, err := s.svc.ListIPAllowlists(r.Context(), access.ListOptions{})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !access.AllowedBy(page.Items, addr) {
			s.writeError(w, r, fmt.Errorf("%w: the address %s is not in any enabled IP allowlist", access.ErrForbidden, addr))
			return
		}
		next.ServeHTTP(w, r)
	})
}
