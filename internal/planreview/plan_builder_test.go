package planreview

import (
	"encoding/json"
	"testing"
)

// A compact way to write the plan documents the tests review: each rc is
// one entry of resource_changes, as terraform show -json prints it.

type obj = map[string]any

type rc struct {
	address, module string
	typ, name       string
	index           any
	actions         []string
	before, after   obj
	unknown         obj
}

// planDoc is a plan document: its resource changes, data sources in the
// prior state, and the configuration's expressions (root_module).
type planDoc struct {
	changes []rc
	data    []obj // engage_role data sources in the prior state's root module
	config  obj   // configuration.root_module
}

func (p planDoc) json(t testing.TB) []byte {
	t.Helper()
	changes := make([]obj, 0, len(p.changes))
	for _, c := range p.changes {
		entry := obj{
			"address": c.address, "mode": "managed", "type": c.typ, "name": c.name,
			"provider_name": "registry.terraform.io/engage-oss/engage",
			"change":        obj{"actions": c.actions, "before": c.before, "after": c.after, "after_unknown": orEmpty(c.unknown)},
		}
		if c.module != "" {
			entry["module_address"] = c.module
		}
		if c.index != nil {
			entry["index"] = c.index
		}
		changes = append(changes, entry)
	}
	resources := make([]obj, 0, len(p.data))
	for _, d := range p.data {
		resources = append(resources, obj{"mode": "data", "type": "engage_role", "name": "r", "values": d})
	}
	doc := obj{
		"format_version": "1.2", "terraform_version": "1.11.4",
		"resource_changes": changes,
		"prior_state":      obj{"values": obj{"root_module": obj{"resources": resources}}},
		"configuration":    obj{"root_module": orEmpty(p.config)},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func orEmpty(o obj) obj {
	if o == nil {
		return obj{}
	}
	return o
}

var (
	create  = []string{"create"}
	update  = []string{"update"}
	remove  = []string{"delete"}
	noop    = []string{"no-op"}
	replace = []string{"delete", "create"}
)

// Resource change builders for the common shapes.

func roleChange(addr string, actions []string, before, after obj) rc {
	return rc{address: addr, typ: "engage_role", name: nameOf(addr), actions: actions, before: before, after: after}
}

func role(id, name string, perms ...string) obj {
	return obj{"id": id, "name": name, "permissions": perms}
}

func userChange(addr string, actions []string, before, after obj) rc {
	return rc{address: addr, typ: "engage_user", name: nameOf(addr), actions: actions, before: before, after: after}
}

func user(id, email, roleID string) obj {
	return obj{"id": id, "email": email, "display_name": email, "role_id": roleID, "disabled": false}
}

// with returns a copy of o with key set to value.
func with(o obj, key string, value any) obj {
	out := obj{key: value}
	for k, v := range o {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func allowlist(id, name string, enabled bool, cidrs ...string) obj {
	entries := make([]obj, 0, len(cidrs))
	for _, c := range cidrs {
		entries = append(entries, obj{"cidr": c, "description": ""})
	}
	return obj{"id": id, "name": name, "enabled": enabled, "entries": entries}
}

func allowlistChange(addr string, actions []string, before, after obj) rc {
	return rc{address: addr, typ: "engage_ip_allowlist", name: nameOf(addr), actions: actions, before: before, after: after}
}

// nameOf returns the resource name of a root module address
// (engage_user.ana -> ana).
func nameOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '.' {
			return addr[i+1:]
		}
	}
	return addr
}

// review runs Review and fails the test on an error.
func review(t *testing.T, p planDoc, opts Options) Report {
	t.Helper()
	rep, err := Review(p.json(t), opts)
	if err != nil {
		t.Fatalf("Review: %v", err)
	}
	return rep
}

// checks returns "check/severity/subject" for every finding, in order.
func checks(rep Report) []string {
	out := make([]string, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		out = append(out, f.Check+"/"+f.Severity+"/"+f.Subject)
	}
	return out
}

func principal(t *testing.T, rep Report, email string) Principal {
	t.Helper()
	for _, p := range rep.Principals {
		if p.Email == email {
			return p
		}
	}
	t.Fatalf("no principal %s in %+v", email, rep.Principals)
	return Principal{}
}
