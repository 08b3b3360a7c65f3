package apiserver

import (
	"net/http"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// A client whose answer to a PUT or DELETE was lost retries it with the same
// Idempotency-Key and If-Match: it must get the first answer, not a 412 for
// its own change or a 404 for its own delete.
func TestARetriedReplaceOrDeleteReplaysTheFirstResponse(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	role := s.createRole(t, "Replayed")
	first := s.expect(t, http.StatusOK, "GET", "/v1/roles/"+role.ID, nil)
	etag := first.header.Get("ETag")

	body := wire.Role{Name: "Replayed", Description: "once", Permissions: []string{"campaign.view"}}
	put := s.expect(t, http.StatusOK, "PUT", "/v1/roles/"+role.ID, body, "If-Match", etag, "Idempotency-Key", "put-1")
	again := s.expect(t, http.StatusOK, "PUT", "/v1/roles/"+role.ID, body, "If-Match", etag, "Idempotency-Key", "put-1")
	if again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("ETag") != put.header.Get("ETag") {
		t.Errorf("the retried PUT got ETag %q (replayed %q), want the first answer's %q",
			again.header.Get("ETag"), again.header.Get("Idempotent-Replayed"), put.header.Get("ETag"))
	}
	// Without the key, the same stale If-Match is what it always was: 412.
	s.expect(t, http.StatusPreconditionFailed, "PUT", "/v1/roles/"+role.ID, body, "If-Match", etag)

	newTag := put.header.Get("ETag")
	s.expect(t, http.StatusNoContent, "DELETE", "/v1/roles/"+role.ID, nil, "If-Match", newTag, "Idempotency-Key", "del-1")
	replayed := s.expect(t, http.StatusNoContent, "DELETE", "/v1/roles/"+role.ID, nil, "If-Match", newTag, "Idempotency-Key", "del-1")
	if replayed.header.Get("Idempotent-Replayed") != "true" {
		t.Error("the retried DELETE was not answered from the idempotency store")
	}
	s.expect(t, http.StatusNotFound, "DELETE", "/v1/roles/"+role.ID, nil, "If-Match", newTag, "Idempotency-Key", "del-2")
}

// A reset whose answer was lost, retried with its key, gets that answer: the
// settings are reset once, not again over a write made in between.
func TestARetriedResetOfTheSecuritySettingsReplaysTheFirstResponse(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	first := s.expect(t, http.StatusOK, "DELETE", "/v1/settings/security", nil, "Idempotency-Key", "reset-1")

	var st wire.SecuritySettings
	s.expect(t, http.StatusOK, "GET", "/v1/settings/security", nil).decode(t, &st)
	st.RequireTwoFactor = true
	s.expect(t, http.StatusOK, "PUT", "/v1/settings/security", st)

	again := s.expect(t, http.StatusOK, "DELETE", "/v1/settings/security", nil, "Idempotency-Key", "reset-1")
	if again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("ETag") != first.header.Get("ETag") {
		t.Errorf("the retried reset got ETag %q (replayed %q), want the first answer's %q",
			again.header.Get("ETag"), again.header.Get("Idempotent-Replayed"), first.header.Get("ETag"))
	}
	if stored, err := s.store.GetSecuritySettings(t.Context()); err != nil || !stored.RequireTwoFactor || !stored.Customized {
		t.Errorf("stored settings = %+v, %v; want the PUT's, untouched by the replayed reset", stored, err)
	}
}
