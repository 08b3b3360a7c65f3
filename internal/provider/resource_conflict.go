package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// A create never takes over an object that already holds its natural key,
// even one identical to the configuration: two resource addresses on one
// object let either delete it under the other (a copied block, an address
// renamed without a `moved` block). The create fails instead, at the
// attribute holding the key, with the object's id and the import block that
// takes it over deliberately. That is also how an apply interrupted after
// the platform created an object, but before Terraform recorded it, is
// recovered.

// errNoKeyHolder is what holder returns for a resource whose create error
// already says everything (the singleton).
var errNoKeyHolder = errors.New("no natural key beyond the create's own error")

// keyHolder is the object holding the natural key a create asked for.
type keyHolder struct {
	// attr is the attribute holding the natural key, where the error points.
	attr path.Path
	// key describes the key in a sentence: `named "Analyst"`.
	key string
	// id is the platform's id of the holder, which `terraform import` takes.
	id string
	// keyImportID is the natural-key import ID (`name:Analyst`, an email);
	// empty when the resource has none beyond id.
	keyImportID string
	createdAt   time.Time
}

// addCreateError reports a failed create. A conflict on the natural key
// names the object that holds it and how to import it; anything else is
// reported as the platform said it.
func (r *managed[M, O]) addCreateError(ctx context.Context, in O, err error, diags *diag.Diagnostics) {
	summary := "Unable to create " + r.kind.noun()
	if r.data == nil || !errors.Is(err, access.ErrConflict) {
		addServiceError(diags, summary, err)
		return
	}
	holder, lookupErr := r.kind.holder(ctx, r.data.service, in)
	if errors.Is(lookupErr, access.ErrNotFound) {
		// Gone between the refusal and the lookup: deleted by this same
		// apply, as when an address was renamed without a moved block and
		// the old address's destroy ran alongside this create.
		diags.AddError(summary, fmt.Sprintf("%s\n\nThe %s that held this key was deleted moments later, most likely by this "+
			"same apply destroying another resource address that declared it (an address renamed without a `moved` "+
			"block). Apply again to create it; a `moved` block from the old address renames it without deleting anything.",
			err, r.kind.noun()))
		return
	}
	if lookupErr != nil {
		// The conflict is not on the natural key, or the lookup failed:
		// the create's own error says more.
		addServiceError(diags, summary, err)
		return
	}
	diags.AddAttributeError(holder.attr, upperFirst(r.kind.noun())+" already exists",
		r.conflictDetail(holder))
}

// conflictDetail explains a conflict on the natural key and the ways out:
// drop the duplicate block, add a moved block, or, when nothing else
// manages the object, import it.
func (r *managed[M, O]) conflictDetail(h keyHolder) string {
	noun, typ, key := r.kind.noun(), "engage_"+r.kind.typeName(), h.attr.String()
	importID := h.keyImportID
	if importID == "" {
		importID = h.id
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s already exists on the platform, with the id %q. Terraform does not take over "+
		"an existing object on create: two resource addresses on one object would let either delete it.\n\n",
		upperFirst(article(noun)), noun, h.key, h.id)
	if !r.data.configuredAt.IsZero() && !h.createdAt.IsZero() && !h.createdAt.Before(r.data.configuredAt) {
		compared := ""
		if key == "name" || key == "email" {
			compared = fmt.Sprintf(" (%ss are compared regardless of letter case and Unicode compatibility form)", key)
		}
		fmt.Fprintf(&b, "It was created moments ago, during this run, so another resource block in this configuration "+
			"declares it too%s: a copied block, or an address renamed without a `moved` block. Remove this block, or "+
			"replace it with a `moved` block from the old address. Do not import it into this block: that would put a "+
			"second address on it.", compared)
		return b.String()
	}
	fmt.Fprintf(&b, "If another resource block manages it, in this configuration or another, remove this block or give "+
		"it another %s: importing the %s here as well would put a second address on it. If this block's address was "+
		"renamed without a `moved` block, add one from the old address to the new one; if this apply destroyed the old "+
		"address meanwhile, apply again.\n\n", key, noun)
	fmt.Fprintf(&b, "If nothing else manages it (an object an interrupted apply left behind, or one made in the console), "+
		"import it into this block, replacing NAME with this block's name:\n\n"+
		"import {\n  to = %s.NAME\n  id = %q\n}\n\nor run: terraform import %s.NAME %s",
		typ, importID, typ, shellQuote(importID))
	return b.String()
}

// importForms says which import IDs a resource accepts: the platform id,
// and a natural key where the resource has one.
type importForms[O any] struct {
	// byID finds the object by an import ID that is not in the key form.
	byID func(ctx context.Context, svc access.Service, id string) (O, error)
	// parseKey recognises the key form and returns the key in it; nil when
	// the resource has no key form.
	parseKey func(importID string) (key string, ok bool)
	byKey    func(ctx context.Context, svc access.Service, key string) (O, error)
	// keyImportID writes a key in the key form (`name:` + key); nil when a
	// key is its own import ID, as an email is.
	keyImportID func(key string) string
	// forms names the accepted forms in messages.
	forms string
	// manageable refuses objects that exist but cannot be managed (system
	// roles); nil when every object can be.
	manageable func(O) error
}

// resolve finds the object importID names. An ID that names nothing says
// which forms the resource takes, and when the ID is a key written without
// its form (a bare role name), the exact ID to use.
func (f importForms[O]) resolve(ctx context.Context, svc access.Service, noun, importID string) (O, error) {
	// No id, name or email starts or ends with white space: a stray space
	// from a copied ID is not part of it.
	importID = strings.TrimSpace(importID)
	var (
		got O
		err error
	)
	if key, ok := f.keyForm(importID); ok {
		got, err = f.byKey(ctx, svc, key)
	} else if got, err = f.byID(ctx, svc, importID); errors.Is(err, access.ErrNotFound) {
		err = f.notFound(ctx, svc, noun, importID, err)
	}
	if err == nil && f.manageable != nil {
		err = f.manageable(got)
	}
	return got, err
}

// resolveID finds the object by its id form alone, as an import by identity
// names it: exactly, with no natural key to try.
func (f importForms[O]) resolveID(ctx context.Context, svc access.Service, id string) (O, error) {
	got, err := f.byID(ctx, svc, id)
	if err == nil && f.manageable != nil {
		err = f.manageable(got)
	}
	return got, err
}

func (f importForms[O]) keyForm(importID string) (string, bool) {
	if f.parseKey == nil {
		return "", false
	}
	return f.parseKey(importID)
}

// notFound adds the way out to an id that names nothing: the key form
// when the ID names an object by its key, or the forms the resource takes.
func (f importForms[O]) notFound(ctx context.Context, svc access.Service, noun, importID string, err error) error {
	hint := fmt.Sprintf("%s import IDs are %s.", upperFirst(noun), f.forms)
	if f.byKey != nil && f.keyImportID != nil {
		_, keyErr := f.byKey(ctx, svc, importID)
		switch {
		case keyErr == nil:
			hint = fmt.Sprintf("%q is not an id, but a %s has that name: import it with the ID %q.",
				importID, noun, f.keyImportID(importID))
		case errors.Is(keyErr, access.ErrNotFound):
			hint = fmt.Sprintf("No %s has that id or name either. %s", noun, hint)
		default:
			return fmt.Errorf("%w. %w", err, keyErr) // a system role: the refusal says why
		}
	}
	return fmt.Errorf("%w. %s", err, hint)
}

// article is "a" or "an" before noun, as it is read aloud ("an IP
// allowlist", "a user").
func article(noun string) string {
	if noun != "" && strings.ContainsRune("AEIOaeio", rune(noun[0])) {
		return "an"
	}
	return "a"
}

// upperFirst capitalises a message's first letter ("IP allowlist" stays).
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// shellQuote quotes an import ID for a shell command line when it needs it.
func shellQuote(s string) string {
	plain := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./:@+", r)
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !plain(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// namedObjects is the natural key of the resources whose name is unique in
// the account: it finds the object holding a name after a create conflict,
// and resolves import IDs, an id or `name:<name>`.
type namedObjects[O any] struct {
	// noun names an object in the import forms: "role".
	noun   string
	byID   func(ctx context.Context, svc access.Service, id string) (O, error)
	byName func(ctx context.Context, svc access.Service, name string) (O, error)
	// facts returns what a conflict message names.
	facts func(O) (id, name string, createdAt time.Time)
}

func (n namedObjects[O]) holder(ctx context.Context, svc access.Service, name string) (keyHolder, error) {
	got, err := n.byName(ctx, svc, name)
	if err != nil {
		return keyHolder{}, err
	}
	id, gotName, createdAt := n.facts(got)
	return keyHolder{
		attr: path.Root("name"), key: fmt.Sprintf("named %q", gotName),
		id: id, keyImportID: nameImportID(gotName), createdAt: createdAt,
	}, nil
}

func (n namedObjects[O]) importer() importForms[O] {
	return importForms[O]{
		byID:        n.byID,
		parseKey:    parseNameImportID,
		byKey:       n.byName,
		keyImportID: nameImportID,
		forms:       fmt.Sprintf("a %s id, or name:<%s name>", n.noun, n.noun),
	}
}
