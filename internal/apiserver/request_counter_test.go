package apiserver

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

func TestRequestCounterCountsRequestsByRoutePatternIncludingRefusedOnes(t *testing.T) {
	t.Parallel()
	counter := &RequestCounter{}
	srv := newTestServer(t, Options{
		Requests: counter,
		Authenticate: func(_ context.Context, token string) (Principal, error) {
			if token != "reader" {
				return Principal{}, access.ErrUnauthorized
			}
			return Principal{Name: "reader", Scopes: []string{access.ScopeRead}}, nil
		},
	})
	auth := []string{"Authorization", "Bearer reader"}
	role, err := srv.store.CreateRole(t.Context(), access.Role{Name: "Viewer", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	srv.expect(t, http.StatusOK, "GET", "/v1/roles/"+role.ID, nil, auth...)
	srv.expect(t, http.StatusNotFound, "GET", "/v1/roles/rol_missing", nil, auth...)
	srv.expect(t, http.StatusOK, "GET", "/v1/roles?limit=10", nil, auth...)
	srv.expect(t, http.StatusUnauthorized, "GET", "/v1/users", nil)                   // no token: refused, still counted
	srv.expect(t, http.StatusForbidden, "DELETE", "/v1/roles/"+role.ID, nil, auth...) // read scope only
	srv.expect(t, http.StatusNotFound, "GET", "/v1/no-such-route", nil, auth...)

	got := counter.Snapshot()
	want := RequestCounts{
		"GET /v1/roles/{id}":    2,
		"GET /v1/roles":         1,
		"GET /v1/users":         1,
		"DELETE /v1/roles/{id}": 1,
		"unmatched":             1,
	}
	if len(got) != len(want) {
		t.Errorf("counted routes %v, want %v", got, want)
	}
	for route, n := range want {
		if got[route] != n {
			t.Errorf("%s counted %d, want %d (all: %v)", route, got[route], n, got)
		}
	}
	if got.Total() != 6 {
		t.Errorf("Total() = %d, want 6", got.Total())
	}
	for route := range got {
		if strings.Contains(route, role.ID) {
			t.Errorf("route %q holds an object id; counts must be by pattern", route)
		}
	}
}

func TestRequestCounterSnapshotIsACopyAndSubGivesOneOperationsCost(t *testing.T) {
	t.Parallel()
	counter := &RequestCounter{}
	srv := newTestServer(t, Options{Requests: counter})
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)
	before := counter.Snapshot()
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil)
	srv.expect(t, http.StatusOK, "GET", "/v1/users", nil)

	if before["GET /v1/roles"] != 1 {
		t.Errorf("the earlier snapshot changed: %v", before)
	}
	cost := counter.Snapshot().Sub(before)
	if cost["GET /v1/roles"] != 1 || cost["GET /v1/users"] != 1 || len(cost) != 2 {
		t.Errorf("Sub = %v, want one GET /v1/roles and one GET /v1/users", cost)
	}

	counter.Reset()
	if n := counter.Snapshot().Total(); n != 0 {
		t.Errorf("after Reset, Total() = %d", n)
	}
}

func TestRequestCountsAreServedToReadersOnlyWhenCounting(t *testing.T) {
	t.Parallel()
	counter := &RequestCounter{}
	srv := newTestServer(t, Options{
		Requests: counter,
		Authenticate: func(_ context.Context, token string) (Principal, error) {
			if token != "reader" {
				return Principal{}, access.ErrUnauthorized
			}
			return Principal{Name: "reader", Scopes: []string{access.ScopeRead}}, nil
		},
	})
	srv.expect(t, http.StatusUnauthorized, "GET", "/v1/debug/requests", nil)
	srv.expect(t, http.StatusOK, "GET", "/v1/roles", nil, "Authorization", "Bearer reader")

	var body requestCountsBody
	srv.expect(t, http.StatusOK, "GET", "/v1/debug/requests", nil, "Authorization", "Bearer reader").decode(t, &body)
	// The refused request, the list, and this request itself.
	if body.Routes["GET /v1/roles"] != 1 || body.Routes["GET /v1/debug/requests"] != 2 || body.Total != 3 {
		t.Errorf("served counts %+v, want GET /v1/roles 1, GET /v1/debug/requests 2, total 3", body)
	}

	plain := newTestServer(t, Options{})
	plain.expect(t, http.StatusNotFound, "GET", "/v1/debug/requests", nil)
}
