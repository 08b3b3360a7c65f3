package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// The Full Admin warning is asserted here rather than in an acceptance
// test: plan checks see `terraform show -json`, which carries no
// diagnostics, and a warning does not fail a step.

// plannedUser is a plan as the framework hands it to ModifyPlan: the
// configured fields, and the computed ones unknown.
func plannedUser(email emailValue, roleID types.String, disabled types.Bool) userModel {
	return userModel{
		ID:               types.StringUnknown(),
		Email:            email,
		DisplayName:      types.StringValue("Ada Lovelace"),
		RoleID:           roleID,
		Disabled:         disabled,
		Status:           types.StringUnknown(),
		TwoFactorEnabled: types.BoolUnknown(),
		LastLoginAt:      types.StringUnknown(),
		CreatedAt:        types.StringUnknown(),
	}
}

// storedUser is the state of a user who holds roleID, optionally after a
// login.
func storedUser(roleID string, disabled, loggedIn bool) *userModel {
	m := &userModel{
		ID:               types.StringValue("usr_0123456789abcdef"),
		Email:            emailValueOf("ada@example.com"),
		DisplayName:      types.StringValue("Ada"),
		RoleID:           types.StringValue(roleID),
		Disabled:         types.BoolValue(disabled),
		Status:           types.StringValue(string(access.UserInvited)),
		TwoFactorEnabled: types.BoolValue(false),
		LastLoginAt:      types.StringNull(),
		CreatedAt:        types.StringValue("2025-01-01T00:00:00Z"),
	}
	if loggedIn {
		m.Status = types.StringValue(string(access.UserActive))
		m.TwoFactorEnabled = types.BoolValue(true)
		m.LastLoginAt = types.StringValue("2025-03-01T09:30:00Z")
	}
	if disabled {
		m.Status = types.StringValue(string(access.UserDisabled))
	}
	return m
}

// modifyUserPlan runs ModifyPlan for plan over state (nil when creating).
func modifyUserPlan(t *testing.T, r *managed[userModel, access.User], state *userModel, plan userModel) (userModel, diag.Diagnostics) {
	t.Helper()
	got, diags := modifyPlan(t, r, state, &plan)
	return *got, diags
}

// newUserResourceOnMemoryStore returns a configured resource and the id of a
// custom role on its platform.
func newUserResourceOnMemoryStore(t *testing.T) (*managed[userModel, access.User], string) {
	t.Helper()
	s := openMemoryStore(t)
	role, err := s.CreateRole(t.Context(), access.Role{Name: "Analyst", Permissions: []string{"analytics.insights"}})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	return &managed[userModel, access.User]{kind: userKind{}, data: &providerData{service: s}}, role.ID
}

func TestUserModifyPlanWarnsWhenFullAdminIsAssigned(t *testing.T) {
	t.Parallel()
	r, customRole := newUserResourceOnMemoryStore(t)
	fullAdmin := types.StringValue(access.FullAdminRoleID)
	enabled := types.BoolValue(false)
	cases := []struct {
		name        string
		state       *userModel
		plan        userModel
		wantWarning string // "" means no diagnostic at all
	}{
		{
			name:        "creating a Full Admin user warns, naming the email",
			plan:        plannedUser(emailValueOf("ada@example.com"), fullAdmin, enabled),
			wantWarning: `The user "ada@example.com" will hold the "Full Admin" system role`,
		},
		{
			name:        "making an existing user Full Admin warns",
			state:       storedUser(customRole, false, false),
			plan:        plannedUser(emailValueOf("ada@example.com"), fullAdmin, enabled),
			wantWarning: `The user "ada@example.com" will hold the "Full Admin" system role`,
		},
		{
			name:        "an email known only after apply is said so",
			plan:        plannedUser(emailValue{StringValue: types.StringUnknown()}, fullAdmin, enabled),
			wantWarning: `The user (whose email is known only after apply) will hold the "Full Admin"`,
		},
		{
			name:  "a user who already holds Full Admin is not warned again",
			state: storedUser(access.FullAdminRoleID, false, false),
			plan:  plannedUser(emailValueOf("ada@example.com"), fullAdmin, enabled),
		},
		{
			name: "another system role plans quietly",
			plan: plannedUser(emailValueOf("ada@example.com"), types.StringValue(access.ReadOnlyRoleID), enabled),
		},
		{
			name: "a role known only after apply plans quietly",
			plan: plannedUser(emailValueOf("ada@example.com"), types.StringUnknown(), enabled),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, diags := modifyUserPlan(t, r, tc.state, tc.plan)
			if tc.wantWarning == "" {
				if len(diags) != 0 {
					t.Fatalf("got %v, want no diagnostics", diags)
				}
				return
			}
			if diags.HasError() || len(diags.Warnings()) != 1 {
				t.Fatalf("got %v, want exactly one warning", diags)
			}
			w := diags.Warnings()[0]
			withPath, ok := w.(diag.DiagnosticWithPath)
			if !ok || !withPath.Path().Equal(path.Root("role_id")) {
				t.Errorf("the warning is not attached to role_id: %v", w)
			}
			if w.Summary() != "User will hold the Full Admin role" || !strings.Contains(w.Detail(), tc.wantWarning) {
				t.Errorf("warning %q: %q; want the detail to contain %q", w.Summary(), w.Detail(), tc.wantWarning)
			}
		})
	}
}

func TestUserModifyPlanChecksTheRoleAtPlanTime(t *testing.T) {
	t.Parallel()
	r, customRole := newUserResourceOnMemoryStore(t)
	enabled := types.BoolValue(false)

	t.Run("a role that does not exist fails the plan at role_id", func(t *testing.T) {
		t.Parallel()
		_, diags := modifyUserPlan(t, r, nil, plannedUser(emailValueOf("ada@example.com"), types.StringValue("rol_0000000000000000"), enabled))
		if len(diags) != 1 || !diags.HasError() {
			t.Fatalf("got %v, want one error", diags)
		}
		d := diags[0]
		withPath, ok := d.(diag.DiagnosticWithPath)
		if !ok || !withPath.Path().Equal(path.Root("role_id")) || d.Summary() != "Role not found" ||
			!strings.Contains(d.Detail(), `No role has the id "rol_0000000000000000"`) {
			t.Errorf("got %q / %q at %v", d.Summary(), d.Detail(), d)
		}
	})
	t.Run("an existing custom role passes", func(t *testing.T) {
		t.Parallel()
		if _, diags := modifyUserPlan(t, r, nil, plannedUser(emailValueOf("ada@example.com"), types.StringValue(customRole), enabled)); len(diags) != 0 {
			t.Errorf("got %v, want no diagnostics", diags)
		}
	})
	t.Run("an unchanged role is not looked up again", func(t *testing.T) {
		t.Parallel()
		// The platform keeps a held role from being deleted, so a role in
		// state exists; an unconfigured resource proves no lookup happens.
		unconfigured := &managed[userModel, access.User]{kind: userKind{}}
		state := storedUser("rol_0000000000000000", false, false)
		plan := plannedUser(emailValueOf("ada@example.com"), types.StringValue("rol_0000000000000000"), enabled)
		if _, diags := modifyUserPlan(t, unconfigured, state, plan); len(diags) != 0 {
			t.Errorf("got %v, want no diagnostics", diags)
		}
	})
}

func TestUserModifyPlanPlansWhatIsCertain(t *testing.T) {
	t.Parallel()
	r, customRole := newUserResourceOnMemoryStore(t)
	role := types.StringValue(customRole)
	email := emailValueOf("ada@example.com")
	var (
		unknownString = types.StringUnknown()
		invited       = types.StringValue(string(access.UserInvited))
		active        = types.StringValue(string(access.UserActive))
		disabled      = types.StringValue(string(access.UserDisabled))
	)
	cases := []struct {
		name          string
		state         *userModel
		plan          userModel
		wantStatus    types.String
		wantTwoFactor types.Bool
		wantLastLogin types.String
	}{
		{"a new user is invited, with no login and no second factor",
			nil, plannedUser(email, role, types.BoolValue(false)), invited, types.BoolValue(false), types.StringNull()},
		{"a new disabled user is disabled",
			nil, plannedUser(email, role, types.BoolValue(true)), disabled, types.BoolValue(false), types.StringNull()},
		{"disabled known only after apply leaves status unknown",
			nil, plannedUser(email, role, types.BoolUnknown()), unknownString, types.BoolValue(false), types.StringNull()},
		// An update keeps what the refresh read: the user's own logins and
		// second factor are not the write's to change.
		{"disabling a user is certain to disable it, and keeps its login and second factor",
			storedUser(customRole, false, true), plannedUser(email, role, types.BoolValue(true)), disabled,
			types.BoolValue(true), types.StringValue("2025-03-01T09:30:00Z")},
		{"moving a user who logged in to another role keeps everything it reported",
			storedUser(customRole, false, true), plannedUser(email, types.StringValue(access.ReadOnlyRoleID), types.BoolValue(false)), active,
			types.BoolValue(true), types.StringValue("2025-03-01T09:30:00Z")},
		{"re-enabling a user who never logged in makes it invited again",
			storedUser(customRole, true, false), plannedUser(email, role, types.BoolValue(false)), invited, types.BoolValue(false), types.StringNull()},
		{"disabled known only after apply leaves only status unknown on an update",
			storedUser(customRole, false, true), plannedUser(email, role, types.BoolUnknown()), unknownString,
			types.BoolValue(true), types.StringValue("2025-03-01T09:30:00Z")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, diags := modifyUserPlan(t, r, tc.state, tc.plan)
			if len(diags) != 0 {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if !got.Status.Equal(tc.wantStatus) || !got.TwoFactorEnabled.Equal(tc.wantTwoFactor) || !got.LastLoginAt.Equal(tc.wantLastLogin) {
				t.Errorf("status, two_factor_enabled, last_login_at = %v, %v, %v; want %v, %v, %v",
					got.Status, got.TwoFactorEnabled, got.LastLoginAt, tc.wantStatus, tc.wantTwoFactor, tc.wantLastLogin)
			}
		})
	}

	t.Run("a plan that writes nothing is the state, computed values included", func(t *testing.T) {
		t.Parallel()
		state := storedUser(customRole, false, true)
		// What the framework hands over when the configuration differs only
		// in the email's case: the email reverted, the computed values unknown.
		plan := plannedUser(state.Email, state.RoleID, state.Disabled)
		plan.ID, plan.CreatedAt, plan.DisplayName = state.ID, state.CreatedAt, state.DisplayName
		got, diags := modifyUserPlan(t, r, state, plan)
		if len(diags) != 0 {
			t.Fatalf("unexpected diagnostics: %v", diags)
		}
		if got != *state {
			t.Errorf("plan = %+v\nwant the state %+v", got, *state)
		}
	})
}

// A user who logs in between plan and apply: the update writes the role,
// and state keeps what the plan promised (Terraform refuses an apply whose
// result differs from a known planned value); the next refresh reports the
// login.
func TestUserUpdateKeepsThePlannedLoginValuesWhenTheUserLogsInMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openMemoryStore(t)
	u, err := s.CreateUser(ctx, access.User{Email: "ada@example.com", DisplayName: "Ada", RoleID: access.ReadOnlyRoleID})
	if err != nil {
		t.Fatal(err)
	}
	var state userModel
	state.setFrom(u)
	plan := state
	plan.RoleID = types.StringValue(access.FullAdminRoleID)

	if err := s.RecordLogin(ctx, u.ID, time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC), true); err != nil {
		t.Fatal(err)
	}
	updated, err := userKind{}.update(ctx, write[userModel]{data: &providerData{service: s}, plan: plan, state: &state},
		userKind{}.toObject(ctx, plan, nil))
	if err != nil {
		t.Fatal(err)
	}
	if updated.RoleID != access.FullAdminRoleID {
		t.Errorf("role_id = %q, want the written %q", updated.RoleID, access.FullAdminRoleID)
	}
	if updated.Status != access.UserInvited || updated.TwoFactorEnabled || updated.LastLoginAt != nil {
		t.Errorf("status, two_factor_enabled, last_login_at = %v, %v, %v; want the planned invited, false, none",
			updated.Status, updated.TwoFactorEnabled, updated.LastLoginAt)
	}
	onPlatform, err := s.GetUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if onPlatform.Status != access.UserActive || onPlatform.LastLoginAt == nil {
		t.Errorf("the platform lost the login: %+v", onPlatform)
	}
}
