package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// AllowLockoutHeader, set to "true" on an allowlist write, lets the write
// leave the caller's own address outside every enabled list: the deliberate
// change an operator makes from one network before moving to another.
const AllowLockoutHeader = "Engage-Allow-Lockout"

// guardLockout refuses (409) an allowlist write that would leave the
// caller's own address outside every enabled list, so that no client can
// lock everyone out by mistake: the provider guards its own plans, this
// guards every client. It runs only where the server enforces allowlists
// and sees the lists after the change as they would be: the current lists,
// read fresh, with the written list created, replaced or deleted. Two
// concurrent writes may each pass alone and lock out together; the
// recovery is `terraform-provider-engage admin allowlists disable-all`.
//
// A body it cannot read is left to the handler, which refuses it properly.
func (s *server) guardLockout(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.enforcesAllowlists || strings.EqualFold(r.Header.Get(AllowLockoutHeader), "true") {
			h(w, r)
			return
		}
		addr, err := netip.ParseAddr(clientIP(r))
		if err != nil {
			h(w, r)
			return
		}
		var written *access.IPAllowlist // nil on delete
		if r.Method != http.MethodDelete {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
			r.Body = io.NopCloser(bytes.NewReader(body))
			var l wire.IPAllowlist
			if err != nil || json.Unmarshal(body, &l) != nil {
				h(w, r)
				return
			}
			a := l.ToAccess()
			written = &a
		}
		lists, err := access.ListAll(r.Context(), s.svc.ListIPAllowlists)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		after := listsAfterWrite(lists, r.PathValue("id"), written)
		if !access.AllowedBy(after, addr) {
			reason := fmt.Sprintf("after this change your address %s would be outside every enabled IP allowlist, and the "+
				"server would refuse your next request; add %s to an enabled list in the same change, or send "+
				"%s: true to make it anyway", addr, netip.PrefixFrom(addr, addr.BitLen()), AllowLockoutHeader)
			s.writeError(w, r, &requestError{
				status: http.StatusConflict, typ: wire.ProblemLockout, title: "Change would lock you out",
				detail: "IP allowlist: " + reason, kind: "IP allowlist", reason: reason,
			})
			return
		}
		h(w, r)
	}
}

// listsAfterWrite is lists with the write applied: written created (id
// empty), written replacing the list id, or the list id deleted (written
// nil).
func listsAfterWrite(lists []access.IPAllowlist, id string, written *access.IPAllowlist) []access.IPAllowlist {
	after := make([]access.IPAllowlist, 0, len(lists)+1)
	for _, l := range lists {
		if id == "" || l.ID != id {
			after = append(after, l)
		}
	}
	if written != nil {
		after = append(after, *written)
	}
	return after
}
