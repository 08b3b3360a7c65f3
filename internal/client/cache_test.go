package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
)

// countingFixture is a fixture whose server counts requests by route.
func countingFixture(t *testing.T, wrap func(http.Handler) http.Handler) (*fixture, *apiserver.RequestCounter) {
	t.Helper()
	counter := &apiserver.RequestCounter{}
	return newFixture(t, fixtureOptions{server: apiserver.Options{Requests: counter}, wrap: wrap}), counter
}

// seedRoles creates n roles on the platform, outside the client.
func seedRoles(t *testing.T, f *fixture, n int) []access.Role {
	t.Helper()
	out := make([]access.Role, n)
	for i := range out {
		r, err := f.store.CreateRole(t.Context(), access.Role{Name: fmt.Sprintf("Role %04d", i), Permissions: []string{"campaign.view"}})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = r
	}
	return out
}

func seedUsers(t *testing.T, f *fixture, roleID string, n int) []access.User {
	t.Helper()
	out := make([]access.User, n)
	for i := range out {
		u, err := f.store.CreateUser(t.Context(), access.User{Email: fmt.Sprintf("user%04d@example.com", i), DisplayName: fmt.Sprintf("User %d", i), RoleID: roleID})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = u
	}
	return out
}

func TestRefreshOfManyObjectsCostsAFewListPagesNotOneRequestPerObject(t *testing.T) {
	t.Parallel()
	const n = 1200 // 600 roles and 600 users: two pages of each at 500 a page
	f, counter := countingFixture(t, nil)
	roles := seedRoles(t, f, n/2)
	users := seedUsers(t, f, roles[0].ID, n/2)

	// As Terraform refreshes: every object read once, ten at a time.
	g, ctx := errgroup.WithContext(t.Context())
	g.SetLimit(10)
	for _, want := range roles {
		g.Go(func() error {
			got, err := f.client.GetRole(ctx, want.ID)
			if err != nil {
				return err
			}
			if got.Name != want.Name || got.Version != want.Version || got.Version == 0 {
				return fmt.Errorf("GetRole(%s) = %q version %d, want %q version %d", want.ID, got.Name, got.Version, want.Name, want.Version)
			}
			return nil
		})
	}
	for _, want := range users {
		g.Go(func() error {
			got, err := f.client.GetUser(ctx, want.ID)
			if err != nil {
				return err
			}
			if got.Email != want.Email || got.Version != want.Version || got.Version == 0 {
				return fmt.Errorf("GetUser(%s) = %q version %d, want %q version %d", want.ID, got.Email, got.Version, want.Email, want.Version)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}

	counts := counter.Snapshot()
	if limit := int64(n/100 + 20); counts.Total() > limit {
		t.Errorf("reading %d objects made %d requests, want at most %d: %v", n, counts.Total(), limit, counts)
	}
	if counts["GET /v1/roles"] != 2 || counts["GET /v1/users"] != 2 || counts.Total() != 4 {
		t.Errorf("requests %v, want two list pages of roles and two of users, nothing else", counts)
	}
}

func TestConcurrentReadsOfAnEmptyCacheShareOneListing(t *testing.T) {
	t.Parallel()
	// A slow listing, so that every reader arrives while it is under way.
	slow := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/roles" {
				time.Sleep(200 * time.Millisecond)
			}
			next.ServeHTTP(w, r)
		})
	}
	f, counter := countingFixture(t, slow)
	roles := seedRoles(t, f, 10)

	var wg sync.WaitGroup
	errs := make(chan error, len(roles))
	for _, r := range roles {
		wg.Go(func() {
			if _, err := f.client.GetRole(t.Context(), r.ID); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if counts := counter.Snapshot(); counts["GET /v1/roles"] != 1 || counts.Total() != 1 {
		t.Errorf("10 concurrent reads made requests %v, want one listing", counts)
	}
}

func TestWritesThroughTheClientKeepTheListingTrueWithoutListingAgain(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, counter := countingFixture(t, nil)
	existing := seedRoles(t, f, 3)
	if _, err := f.client.GetRole(ctx, existing[0].ID); err != nil { // fills the listing
		t.Fatal(err)
	}

	created, err := f.client.CreateRole(ctx, access.Role{Name: "Analyst", Permissions: []string{"campaign.view"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.client.GetRole(ctx, created.ID)
	if err != nil || got.Name != "Analyst" || got.Version != created.Version {
		t.Fatalf("after create: GetRole = %+v, %v; want the created role at version %d", got, err, created.Version)
	}

	got.Description = "Reads campaigns"
	updated, err := f.client.UpdateRole(ctx, got)
	if err != nil {
		t.Fatal(err)
	}
	got, err = f.client.GetRole(ctx, created.ID)
	if err != nil || got.Description != "Reads campaigns" || got.Version != updated.Version || updated.Version == created.Version {
		t.Fatalf("after update: GetRole = %+v, %v; want the description and version %d", got, err, updated.Version)
	}
	byName, err := f.client.GetRoleByName(ctx, "analyst")
	if err != nil || byName.ID != created.ID || byName.Version != updated.Version {
		t.Fatalf("GetRoleByName = %+v, %v; want the updated role", byName, err)
	}

	if err := f.client.DeleteRole(ctx, created.ID, updated.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetRole(ctx, created.ID); !errors.Is(err, access.ErrNotFound) {
		t.Fatalf("after delete: GetRole error = %v, want not found", err)
	}

	counts := counter.Snapshot()
	if counts["GET /v1/roles"] != 1 || counts["GET /v1/roles/{id}"] != 0 {
		t.Errorf("requests %v, want one listing and no single reads", counts)
	}
}

func TestAnObjectMissingFromAFreshListingIsNotFoundSoRefreshSeesDeletes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, counter := countingFixture(t, nil)
	roles := seedRoles(t, f, 2)
	if err := f.store.DeleteRole(ctx, roles[1].ID, 0); err != nil { // outside Terraform
		t.Fatal(err)
	}

	_, err := f.client.GetRole(ctx, roles[1].ID)
	var nf *access.NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "role" || nf.ID != roles[1].ID {
		t.Fatalf("GetRole of a deleted role: %v, want a role not found error naming %s", err, roles[1].ID)
	}
	if _, err := f.client.GetRole(ctx, roles[0].ID); err != nil {
		t.Fatal(err)
	}
	if counts := counter.Snapshot(); counts.Total() != 1 {
		t.Errorf("requests %v, want the one listing", counts)
	}
}

func TestAFailedConditionalWriteDropsTheListingSoTheNextReadSeesTheChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, counter := countingFixture(t, nil)
	role := seedRoles(t, f, 1)[0]
	read, err := f.client.GetRole(ctx, role.ID)
	if err != nil {
		t.Fatal(err)
	}
	outside := read
	outside.Description = "changed outside Terraform"
	changed, err := f.store.UpdateRole(ctx, outside)
	if err != nil {
		t.Fatal(err)
	}

	read.Description = "Terraform's change"
	if _, err := f.client.UpdateRole(ctx, read); !errors.Is(err, access.ErrPreconditionFailed) {
		t.Fatalf("an update conditional on the version read before an outside change: %v, want precondition failed", err)
	}
	again, err := f.client.GetRole(ctx, role.ID)
	if err != nil || again.Description != outside.Description || again.Version != changed.Version {
		t.Fatalf("GetRole after the failed update = %+v, %v; want the outside change at version %d", again, err, changed.Version)
	}
	if n := counter.Snapshot()["GET /v1/roles"]; n != 2 {
		t.Errorf("listed roles %d times, want 2 (the failed write dropped the first listing)", n)
	}
}

func TestLookupsByNaturalKeyListAgainBeforeSayingNotFound(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, counter := countingFixture(t, nil)
	role := seedRoles(t, f, 1)[0]
	if _, err := f.client.GetUserByEmail(ctx, "nobody@example.com"); !errors.Is(err, access.ErrNotFound) {
		t.Fatalf("GetUserByEmail of nobody: %v, want not found", err)
	}
	// Created by another process after this client listed users, as a
	// concurrent apply would.
	user, err := f.store.CreateUser(ctx, access.User{Email: "Late@Example.com", DisplayName: "Late", RoleID: role.ID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.client.GetUserByEmail(ctx, "late@example.com")
	if err != nil || got.ID != user.ID || got.Version != user.Version {
		t.Fatalf("GetUserByEmail = %+v, %v; want %s at version %d", got, err, user.ID, user.Version)
	}
	if n := counter.Snapshot()["GET /v1/users"]; n != 3 {
		t.Errorf("listed users %d times, want 3 (twice for the miss, once more for the late user)", n)
	}
}

func TestAFailedListingIsNotKeptAndTheNextReadTriesAgain(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	failing := true
	unavailable := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			fail := failing
			mu.Unlock()
			if fail {
				http.Error(w, "down for maintenance", http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	f, _ := countingFixture(t, unavailable)
	role := seedRoles(t, f, 1)[0]
	if _, err := f.client.GetRole(t.Context(), role.ID); err == nil || errors.Is(err, access.ErrNotFound) {
		t.Fatalf("GetRole while the server fails: %v, want the server's error", err)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	if _, err := f.client.GetRole(t.Context(), role.ID); err != nil {
		t.Fatalf("GetRole once the server is back: %v", err)
	}
}

func TestAReaderThatGivesUpDoesNotFailTheOthersWaitingForTheListing(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	held := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-release
			next.ServeHTTP(w, r)
		})
	}
	f, counter := countingFixture(t, held)
	role := seedRoles(t, f, 1)[0]

	impatient, cancel := context.WithCancel(t.Context())
	firstErr := make(chan error, 1)
	go func() {
		_, err := f.client.GetRole(impatient, role.ID)
		firstErr <- err
	}()
	secondErr := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond) // joins the listing under way
		_, err := f.client.GetRole(t.Context(), role.ID)
		secondErr <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-firstErr; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled reader got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-secondErr; err != nil {
		t.Errorf("the patient reader got %v", err)
	}
	if n := counter.Snapshot()["GET /v1/roles"]; n != 1 {
		t.Errorf("listed roles %d times, want once", n)
	}
}
