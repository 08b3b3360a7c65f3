package access

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"
	"unicode/utf8"
)

//go:embed permissions.json
var catalogJSON []byte

// System role names and their fixed identifiers: the platform predefines
// them, so every account (and every backend) knows them by the same id.
const (
	FullAdminRoleName = "Full Admin"
	FullAdminRoleID   = "rol_full_admin"
	ReadOnlyRoleName  = "Read Only"
	ReadOnlyRoleID    = "rol_read_only"
)

// SystemRole is a predefined, read-only role.
type SystemRole struct {
	ID          string
	Name        string
	Description string
	Permissions []string // sorted keys granted directly
}

// Catalog is the platform's permission catalog with its dependency closure
// precomputed. It is immutable after load and safe for concurrent use.
type Catalog struct {
	permissions []Permission        // in catalog order
	byKey       map[string]int      // key -> index in permissions
	byID        map[int64]int       // numeric id -> index
	closure     map[string][]string // key -> sorted transitive closure, key included
	systemRoles []SystemRole
}

// DefaultCatalog returns the catalog embedded in this build. It panics if the
// embedded file is malformed: that is a build defect a unit test catches.
var DefaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := ParseCatalog(catalogJSON)
	if err != nil {
		panic(fmt.Sprintf("embedded permissions.json: %v", err))
	}
	return c
})

type catalogFile struct {
	Permissions []Permission `json:"permissions"`
	SystemRoles []struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Permissions json.RawMessage `json:"permissions"` // "*" or a list of keys
	} `json:"system_roles"`
}

// ParseCatalog reads a catalog document and checks it: unique keys and ids,
// every implied key known, no dependency cycle, system roles well formed.
func ParseCatalog(data []byte) (*Catalog, error) {
	var f catalogFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decoding catalog: %w", err)
	}
	c := &Catalog{
		permissions: f.Permissions,
		byKey:       make(map[string]int, len(f.Permissions)),
		byID:        make(map[int64]int, len(f.Permissions)),
		closure:     make(map[string][]string, len(f.Permissions)),
	}
	for i, p := range f.Permissions {
		if p.Key == "" {
			return nil, fmt.Errorf("permission %d has no key", i)
		}
		if _, dup := c.byKey[p.Key]; dup {
			return nil, fmt.Errorf("duplicate permission key %q", p.Key)
		}
		if _, dup := c.byID[p.ID]; dup {
			return nil, fmt.Errorf("duplicate permission id %d", p.ID)
		}
		c.byKey[p.Key] = i
		c.byID[p.ID] = i
		if c.permissions[i].Implies == nil {
			c.permissions[i].Implies = []string{}
		}
	}
	for _, p := range f.Permissions {
		for _, dep := range p.Implies {
			if _, ok := c.byKey[dep]; !ok {
				return nil, fmt.Errorf("permission %q implies unknown key %q", p.Key, dep)
			}
		}
	}
	for _, p := range f.Permissions {
		set, err := c.walk(p.Key, map[string]bool{}, nil)
		if err != nil {
			return nil, err
		}
		c.closure[p.Key] = set
	}
	for _, sr := range f.SystemRoles {
		role := SystemRole{Name: sr.Name, Description: sr.Description}
		switch sr.Name {
		case FullAdminRoleName:
			role.ID = FullAdminRoleID
		case ReadOnlyRoleName:
			role.ID = ReadOnlyRoleID
		default:
			return nil, fmt.Errorf("unknown system role %q", sr.Name)
		}
		var all string
		if json.Unmarshal(sr.Permissions, &all) == nil && all == "*" {
			role.Permissions = c.Keys()
		} else if err := json.Unmarshal(sr.Permissions, &role.Permissions); err != nil {
			return nil, fmt.Errorf("system role %q: permissions must be \"*\" or a list of keys", sr.Name)
		}
		for _, k := range role.Permissions {
			if _, ok := c.byKey[k]; !ok {
				return nil, fmt.Errorf("system role %q grants unknown key %q", sr.Name, k)
			}
		}
		sort.Strings(role.Permissions)
		c.systemRoles = append(c.systemRoles, role)
	}
	return c, nil
}

// walk collects key and everything it implies, depth first, refusing cycles.
func (c *Catalog) walk(key string, onPath map[string]bool, acc []string) ([]string, error) {
	if onPath[key] {
		return nil, fmt.Errorf("permission dependency cycle through %q", key)
	}
	if slices.Contains(acc, key) {
		return acc, nil
	}
	onPath[key] = true
	defer delete(onPath, key)
	acc = append(acc, key)
	var err error
	for _, dep := range c.permissions[c.byKey[key]].Implies {
		if acc, err = c.walk(dep, onPath, acc); err != nil {
			return nil, err
		}
	}
	sort.Strings(acc)
	return acc, nil
}

// Permissions returns every permission in catalog order. The caller must not
// modify the result.
func (c *Catalog) Permissions() []Permission { return c.permissions }

// Keys returns every permission key, sorted.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.permissions))
	for _, p := range c.permissions {
		keys = append(keys, p.Key)
	}
	sort.Strings(keys)
	return keys
}

// Lookup finds a permission by key.
func (c *Catalog) Lookup(key string) (Permission, bool) {
	i, ok := c.byKey[key]
	if !ok {
		return Permission{}, false
	}
	return c.permissions[i], true
}

// LookupID finds a permission by its numeric platform id.
func (c *Catalog) LookupID(id int64) (Permission, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Permission{}, false
	}
	return c.permissions[i], true
}

// SystemRoles returns the platform's predefined roles.
func (c *Catalog) SystemRoles() []SystemRole { return c.systemRoles }

// Closure returns the sorted, de-duplicated dependency closure of keys: every
// key plus everything it implies, transitively. Unknown keys are skipped;
// validate with CheckPermissionKeys first.
func (c *Catalog) Closure(keys []string) []string {
	seen := make(map[string]struct{}, len(keys)*2)
	for _, k := range keys {
		for _, dep := range c.closure[k] {
			seen[dep] = struct{}{}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// AnySensitive reports whether any of keys is a sensitive permission.
func (c *Catalog) AnySensitive(keys []string) bool {
	for _, k := range keys {
		if p, ok := c.Lookup(k); ok && p.Sensitive {
			return true
		}
	}
	return false
}

// UnknownKeyMessage explains why key is not in the catalog and suggests the
// closest valid key, so a typo is a one-glance fix.
func (c *Catalog) UnknownKeyMessage(key string) string {
	if n := utf8.RuneCountInString(key); n > maxSuggestedKeyLength {
		// Not a typo of a key. Looking for the closest one would cost
		// len(key) × len(catalog key) per catalog key (seconds of CPU for
		// a 1 MiB request body), and quoting it whole would put all of it
		// in every message.
		return fmt.Sprintf("unknown permission key %.32q... (%d characters; catalog keys are much shorter)", key, n)
	}
	return fmt.Sprintf("unknown permission key %q; did you mean %q?", key, c.closest(key))
}

// maxSuggestedKeyLength is the longest unknown key a suggestion is looked
// for: half as long again as the longest catalog key (40 characters).
const maxSuggestedKeyLength = 64

// closest returns the catalog key with the smallest edit distance to key.
func (c *Catalog) closest(key string) string {
	best, bestDist := "", -1
	for _, k := range c.Keys() {
		if d := editDistance(key, k); bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
