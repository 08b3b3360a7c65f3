package planreview

import (
	"encoding/json"
	"fmt"
	"strings"
)

// A value Terraform learns only at apply (the id of a role created in the
// same plan) still names where it comes from: the configuration lists the
// references of every expression. refs follows them from an attribute of
// a resource instance to the engage_role instances it can come from,
// through module variables and outputs, so that a new user given a new
// role is judged by that role's permissions.

// segment is one step of a module instance path: module.NAME[KEY]. Key is
// the index as the plan spells it ("\"a\"", "0"), empty without one, and
// "*" for any instance.
type segment struct{ name, key string }

type modulePath []segment

// parseModuleAddress splits module.a["x"].module.b into its segments.
func parseModuleAddress(addr string) (modulePath, bool) {
	var path modulePath
	for addr != "" {
		rest, ok := strings.CutPrefix(addr, "module.")
		if !ok {
			return nil, false
		}
		name, key, tail, ok := cutNameIndex(rest)
		if !ok {
			return nil, false
		}
		path = append(path, segment{name: name, key: key})
		addr = strings.TrimPrefix(tail, ".")
	}
	return path, true
}

// cutNameIndex reads NAME then an optional [KEY] at the start of s, and
// returns the rest after them.
func cutNameIndex(s string) (name, key, rest string, ok bool) {
	end := strings.IndexAny(s, ".[")
	if end < 0 {
		return s, "", "", s != ""
	}
	name, rest = s[:end], s[end:]
	if name == "" {
		return "", "", "", false
	}
	if rest[0] != '[' {
		return name, "", rest, true
	}
	closing := indexClosingBracket(rest)
	if closing < 0 {
		return "", "", "", false
	}
	return name, rest[1:closing], rest[closing+1:], true
}

// indexClosingBracket finds the ] that closes the [ at s[0], skipping
// brackets inside a quoted key.
func indexClosingBracket(s string) int {
	inString, escaped := false, false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == ']':
			return i
		}
	}
	return -1
}

func (p modulePath) matches(q modulePath) bool {
	if len(p) != len(q) {
		return false
	}
	for i := range p {
		if p[i].name != q[i].name || (p[i].key != "*" && q[i].key != "*" && p[i].key != q[i].key) {
			return false
		}
	}
	return true
}

// reference is one parsed entry of an expression's references:
// engage_role.r["a"].id gives root engage_role, name r, key "\"a\"".
type reference struct {
	root, name, key, attr string
}

func parseReference(s string) (reference, bool) {
	root, rest, ok := strings.Cut(s, ".")
	if !ok {
		return reference{}, false
	}
	name, key, tail, ok := cutNameIndex(rest)
	if !ok {
		return reference{}, false
	}
	r := reference{root: root, name: name, key: key}
	if tail != "" && tail[0] == '.' {
		r.attr, _, _, _ = cutNameIndex(tail[1:])
	}
	return r, true
}

// expressionRefs returns the references of one expression document.
func expressionRefs(raw json.RawMessage) []string {
	var e struct {
		References []string `json:"references"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return nil
	}
	return e.References
}

// roleSources finds the engage_role instances a value can come from.
type roleSources struct {
	root *configModule
	// roles are the plan's engage_role instances, by resource name.
	roles map[string][]roleInstance
	// resources indexes each module's managed resources' expressions by
	// address, built on first use.
	resources map[*configModule]map[string]map[string]json.RawMessage
}

type roleInstance struct {
	module  modulePath
	name    string
	key     string
	address string
}

// maxReferenceDepth bounds how deep the prior state's modules are walked;
// maxFollowed how many variables and outputs one attribute's walk follows.
// Real configurations stay far below both.
const (
	maxReferenceDepth = 16
	maxFollowed       = 256
)

// visited records that name in the module instance path is being followed,
// and reports whether it already was.
func visited(seen map[string]bool, path modulePath, name string) bool {
	key := fmt.Sprint(path) + " " + name
	if seen[key] {
		return true
	}
	seen[key] = true
	return false
}

// module returns the configuration of the module at path, nil when unknown.
func (s *roleSources) module(path modulePath) *configModule {
	if s.root == nil {
		return nil
	}
	m := s.root
	for _, seg := range path {
		call, ok := m.ModuleCalls[seg.name]
		if !ok || call.Module == nil {
			return nil
		}
		m = call.Module
	}
	return m
}

// ofAttribute returns the addresses of the engage_role instances the
// attribute attr of the resource configAddr (module-relative, e.g.
// engage_user.ops) in the module instance path can come from; eachKey is
// the resource instance's key.
func (s *roleSources) ofAttribute(path modulePath, configAddr, attr, eachKey string) []string {
	m := s.module(path)
	if m == nil {
		return nil
	}
	if s.resources == nil {
		s.resources = map[*configModule]map[string]map[string]json.RawMessage{}
	}
	byAddress, ok := s.resources[m]
	if !ok {
		byAddress = make(map[string]map[string]json.RawMessage, len(m.Resources))
		for _, r := range m.Resources {
			if r.Mode == "managed" {
				byAddress[r.Address] = r.Expressions
			}
		}
		s.resources[m] = byAddress
	}
	expressions, ok := byAddress[configAddr]
	if !ok {
		return nil
	}
	return s.resolve(expressionRefs(expressions[attr]), path, eachKey, map[string]bool{})
}

// resolve follows refs from the module instance path. seen holds the
// variables and outputs already followed for this attribute: each is
// followed once, so a configuration whose outputs and variables refer to
// one another (or a hostile document) costs no more than its size.
func (s *roleSources) resolve(refs []string, path modulePath, eachKey string, seen map[string]bool) []string {
	if len(seen) > maxFollowed {
		return nil
	}
	parsed := make([]reference, 0, len(refs))
	usesEachKey := false
	for _, text := range refs {
		if text == "each.key" || text == "count.index" {
			usesEachKey = true
		}
		if r, ok := parseReference(text); ok {
			parsed = append(parsed, r)
		}
	}
	// references lists a traversal and its prefixes (engage_role.r["a"].id,
	// engage_role.r["a"], engage_role.r): keep the most specific per name.
	specific := map[string]reference{}
	for _, r := range parsed {
		id := r.root + "." + r.name
		if cur, ok := specific[id]; !ok || (cur.key == "" && r.key != "") || (cur.attr == "" && r.attr != "") {
			specific[id] = r
		}
	}
	var out []string
	for _, r := range parsed {
		if specific[r.root+"."+r.name] != r {
			continue
		}
		delete(specific, r.root+"."+r.name)
		switch r.root {
		case "engage_role":
			out = append(out, s.instances(path, r.name, r.key, usesEachKey, eachKey)...)
		case "var":
			if len(path) == 0 {
				continue // a root variable is known at plan time
			}
			parent := s.module(path[:len(path)-1])
			if parent == nil || visited(seen, path, "var."+r.name) {
				continue
			}
			call := parent.ModuleCalls[path[len(path)-1].name]
			out = append(out, s.resolve(expressionRefs(call.Expressions[r.name]), path[:len(path)-1], path[len(path)-1].key, seen)...)
		case "module":
			child := append(append(modulePath{}, path...), segment{name: r.name, key: r.key})
			if r.key == "" {
				child[len(child)-1].key = "*"
			}
			m := s.module(child)
			if m == nil || r.attr == "" || visited(seen, child, "output."+r.attr) {
				continue
			}
			out = append(out, s.resolve(expressionRefs(m.Outputs[r.attr].Expression), child, "", seen)...)
		}
	}
	return out
}

// instances returns the addresses of resource engage_role.name in path:
// the one with key when the reference names it, else the one whose key is
// the referring instance's own (engage_role.r[each.key]) when that exists,
// else all of them.
func (s *roleSources) instances(path modulePath, name, key string, usesEachKey bool, eachKey string) []string {
	var all, sameKey []string
	for _, ri := range s.roles[name] {
		if !ri.module.matches(path) {
			continue
		}
		if key != "" {
			if ri.key == key {
				return []string{ri.address}
			}
			continue
		}
		all = append(all, ri.address)
		if usesEachKey && eachKey != "" && ri.key == eachKey {
			sameKey = append(sameKey, ri.address)
		}
	}
	if len(sameKey) > 0 {
		return sameKey
	}
	return all
}
