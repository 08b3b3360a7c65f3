package planreview

import (
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// FuzzReview feeds arbitrary documents to the decoder and the delta: no
// input panics, every refusal is an *InputError (the command's exit 2),
// and every report encodes as JSON and renders as Markdown.
func FuzzReview(f *testing.F) {
	for _, doc := range []planDoc{
		{changes: []rc{
			roleChange("engage_role.a", update, role("rol_a", "A", "campaign.view"), role("rol_a", "A", "data.export_data")),
			userChange("engage_user.u", noop, user("usr_1", "u@example.com", "rol_a"), user("usr_1", "u@example.com", "rol_a")),
			allowlistChange("engage_ip_allowlist.o", update, allowlist("ipl_1", "o", true, "192.0.2.0/24"), allowlist("ipl_1", "o", true, "0.0.0.0/1")),
			maskingChange("engage_masking_column.m", remove, column("t", "c", "full"), nil),
			settingsChange(update, settings(true, 60, true, true), settings(false, 600, false, false)),
			destinationChange(create, nil, sftp("h", "", "report")),
		}},
		{changes: []rc{{address: `module.m["x"].engage_user.u`, module: `module.m["x"]`, typ: "engage_user", name: "u", actions: create,
			after: with(user("", "n@example.com", ""), "role_id", nil), unknown: obj{"role_id": true}}},
			config: obj{"module_calls": obj{"m": obj{"module": obj{"resources": []obj{{"address": "engage_user.u", "mode": "managed",
				"expressions": obj{"role_id": obj{"references": []string{"var.r", "module.z[\"]\"].o", "engage_role.q[each.key]"}}}}}}}}}},
	} {
		f.Add(doc.json(f))
	}
	for _, s := range []string{"", "{}", "[]", "null", `{"format_version":"1.2"}`, `{"format_version":"1.2","resource_changes":[{"mode":"managed","type":"engage_role","change":{"actions":["update"],"before":{"permissions":null},"after":{"permissions":["x"]}}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		account := &access.AccountSnapshot{Roles: []access.Role{{ID: "rol_a", Permissions: []string{"campaign.view"}}}, Users: []access.User{{ID: "usr_2", RoleID: "rol_a"}}}
		for _, opts := range []Options{{}, {Account: account, Backend: "embedded"}} {
			rep, err := Review(data, opts)
			if err != nil {
				var inputErr *InputError
				if !errors.As(err, &inputErr) {
					t.Fatalf("Review error %T %v, want an *InputError", err, err)
				}
				continue
			}
			if _, err := json.Marshal(rep); err != nil {
				t.Fatalf("encoding the report: %v", err)
			}
			if err := RenderMarkdown(io.Discard, rep); err != nil {
				t.Fatalf("rendering the report: %v", err)
			}
		}
	})
}
