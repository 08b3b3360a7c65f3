package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// Terraform refreshes every resource of a configuration with one Read each,
// ten at a time. Over REST that would be one GET per object: 5,000 requests
// for 5,000 objects. Instead, the first read of an object lists its whole
// collection (pages of pageLimit, one fill however many reads ask at once)
// and later reads are served from that listing. The target is a refresh of
// N objects in at most N/100 + 20 requests.
//
// The listing lives as long as the Client, which the provider builds in
// Configure: one Terraform walk (validate, plan or apply) of one command, a
// few seconds to minutes. Within that time an object read twice reads the
// same, which is what a plan needs anyway (Terraform reads each object once
// per walk). What it can miss, and why that is acceptable:
//
//   - A change made outside Terraform after the fill and before the read, by
//     another process. A GET per object has the same window, only shorter;
//     the next plan sees the change, and writes stay conditional on the
//     version read (If-Match), so an update cannot silently overwrite it.
//   - An object created elsewhere after the fill reads as not found. A read
//     by id only asks for objects Terraform knew of before the command
//     started (in state or being imported), which the fill holds; lookups by
//     natural key (GetRoleByName, GetUserByEmail, used to name the holder
//     of a natural key after a create conflict) list again before answering
//     not found.
//
// Writes through this client keep the listing true: a create adds the
// object, an update replaces it, a delete removes it, each from the server's
// answer. A write that fails leaves the object's state unknown (a 412, a
// conflict, a timeout after the server committed), so it drops the listing
// and the next read lists again.
//
// Objects are kept as the JSON the server sent and decoded on each read, so
// no two callers share a slice.

// collectionCache is the listing of one collection, keyed by object id
// (table and column for masking columns). W is the collection's wire type.
type collectionCache[W any] struct {
	collection, kind string
	key              func(W) string
	version          func(W) access.Version

	fills singleflight.Group

	mu sync.Mutex
	// objects holds the last complete listing; nil until a fill completes
	// and after a failed write.
	objects map[string]json.RawMessage
	// written holds, while a fill is under way, what this client wrote
	// meanwhile (nil for a delete): the fill may have listed the object
	// before the write, so the write wins.
	written map[string]json.RawMessage
	// drops counts drop calls, so that a fill under way during one, whose
	// listing may hold what a failed write left unknown, is not stored.
	drops uint64
}

func newCollectionCache[W any](collection, kind string, key func(W) string, version func(W) access.Version) *collectionCache[W] {
	return &collectionCache[W]{collection: collection, kind: kind, key: key, version: version}
}

// caches are a Client's listings, one per collection of objects.
type caches struct {
	roles               *collectionCache[wire.Role]
	users               *collectionCache[wire.User]
	maskingColumns      *collectionCache[wire.MaskingColumn]
	ipAllowlists        *collectionCache[wire.IPAllowlist]
	transferCredentials *collectionCache[wire.TransferCredential]
	exportDestinations  *collectionCache[wire.ExportDestination]
}

func newCaches() caches {
	return caches{
		roles: newCollectionCache(wire.RolesPath, roleKind,
			func(w wire.Role) string { return w.ID }, func(w wire.Role) access.Version { return access.Version(w.Version) }),
		users: newCollectionCache(wire.UsersPath, userKind,
			func(w wire.User) string { return w.ID }, func(w wire.User) access.Version { return access.Version(w.Version) }),
		maskingColumns: newCollectionCache(wire.MaskingColumnsPath, maskingColumnKind,
			func(w wire.MaskingColumn) string { return maskingColumnKey(w.Table, w.Column) },
			func(w wire.MaskingColumn) access.Version { return access.Version(w.Version) }),
		ipAllowlists: newCollectionCache(wire.IPAllowlistsPath, ipAllowlistKind,
			func(w wire.IPAllowlist) string { return w.ID }, func(w wire.IPAllowlist) access.Version { return access.Version(w.Version) }),
		transferCredentials: newCollectionCache(wire.TransferCredentialsPath, transferCredentialKind,
			func(w wire.TransferCredential) string { return w.ID },
			func(w wire.TransferCredential) access.Version { return access.Version(w.Version) }),
		exportDestinations: newCollectionCache(wire.ExportDestinationsPath, exportDestinationKind,
			func(w wire.ExportDestination) string { return w.ID },
			func(w wire.ExportDestination) access.Version { return access.Version(w.Version) }),
	}
}

// maskingColumnKey identifies a masking column in its listing; the NUL
// cannot occur in a name, unlike the slash of wire.MaskingColumnID.
func maskingColumnKey(table, column string) string { return table + "\x00" + column }

// cachedGet reads the object with key k, at path, from the listing c, and
// remembers its version for later writes as a GET would.
func cachedGet[W any](ctx context.Context, cl *Client, c *collectionCache[W], k, path, id string) (W, access.Version, error) {
	w, found, err := c.get(ctx, cl, k)
	if err != nil {
		return w, 0, err
	}
	if !found {
		return w, 0, &access.NotFoundError{Kind: c.kind, ID: id}
	}
	v := c.version(w)
	cl.remember(path, v)
	return w, v, nil
}

// cachedFind is cachedGet for the first object match accepts; notFound
// names what was looked for.
func cachedFind[W any](ctx context.Context, cl *Client, c *collectionCache[W], match func(W) bool, pathOf func(W) string, notFound error) (W, access.Version, error) {
	w, found, err := c.find(ctx, cl, match)
	if err != nil {
		return w, 0, err
	}
	if !found {
		return w, 0, notFound
	}
	v := c.version(w)
	cl.remember(pathOf(w), v)
	return w, v, nil
}

// wrote keeps the listing c true after a create or an update: the server's
// answer w (whose body carries its version) when it succeeded; when it
// failed, the object's state is unknown and the listing is dropped.
func wrote[W any](c *collectionCache[W], w W, err error) {
	if err != nil {
		c.drop()
		return
	}
	c.put(w)
}

// deleted keeps the listing c true after a delete: a delete that succeeded,
// or found nothing to delete, removes the object; any other failure leaves
// it unknown.
func deleted[W any](c *collectionCache[W], k string, err error) {
	if err == nil || isNotFound(err) {
		c.remove(k)
		return
	}
	c.drop()
}

// get returns the object with key k from the listing, filling it first when
// there is none; found is false when a complete listing does not hold k.
func (c *collectionCache[W]) get(ctx context.Context, cl *Client, k string) (w W, found bool, err error) {
	raw, found, err := c.lookup(ctx, cl, func(objects map[string]json.RawMessage) (json.RawMessage, bool) {
		raw, ok := objects[k]
		return raw, ok
	})
	if err != nil || !found {
		return w, false, err
	}
	return w, true, c.decode(raw, &w)
}

// find returns the first object match accepts, in the listing; when there
// is none it lists again once (the object may be newer than the listing).
func (c *collectionCache[W]) find(ctx context.Context, cl *Client, match func(W) bool) (W, bool, error) {
	var zero W
	for attempt := range 2 {
		if attempt == 1 {
			c.drop()
		}
		var decodeErr error
		raw, found, err := c.lookup(ctx, cl, func(objects map[string]json.RawMessage) (json.RawMessage, bool) {
			for _, raw := range objects {
				var w W
				if err := c.decode(raw, &w); err != nil {
					decodeErr = err
					return nil, false
				}
				if match(w) {
					return raw, true
				}
			}
			return nil, false
		})
		if err == nil {
			err = decodeErr
		}
		if err != nil {
			return zero, false, err
		}
		if found {
			var w W
			return w, true, c.decode(raw, &w)
		}
	}
	return zero, false, nil
}

// lookup runs pick on the listing, filling it first when there is none.
func (c *collectionCache[W]) lookup(ctx context.Context, cl *Client, pick func(map[string]json.RawMessage) (json.RawMessage, bool)) (json.RawMessage, bool, error) {
	for {
		c.mu.Lock()
		if c.objects != nil {
			raw, found := pick(c.objects)
			c.mu.Unlock()
			return raw, found, nil
		}
		c.mu.Unlock()
		// One fill for every reader waiting; it outlives a reader that gives
		// up, so that the others still get it.
		done := c.fills.DoChan("fill", func() (any, error) {
			return nil, c.fill(context.WithoutCancel(ctx), cl)
		})
		select {
		case <-ctx.Done():
			return nil, false, fmt.Errorf("listing %s: %w", c.collection, ctx.Err())
		case res := <-done:
			if res.Err != nil {
				return nil, false, res.Err
			}
		}
		// A write may have dropped the listing since: list again.
	}
}

// fill lists the whole collection and stores the listing with this
// client's writes meanwhile on top, unless a failed write dropped the
// listing meanwhile (then the next lookup fills again).
func (c *collectionCache[W]) fill(ctx context.Context, cl *Client) error {
	c.mu.Lock()
	drops := c.drops
	c.written = map[string]json.RawMessage{}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.written = nil
	}()

	objects := map[string]json.RawMessage{}
	token := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
		if token != "" {
			q.Set("page_token", token)
		}
		call := call{method: http.MethodGet, path: c.collection, query: q, kind: c.kind}
		r, err := cl.do(ctx, call)
		if err != nil {
			return err
		}
		var page wire.List[json.RawMessage]
		if err := decodeBody(call, r, &page); err != nil {
			return err
		}
		for _, raw := range page.Items {
			var w W
			if err := c.decode(raw, &w); err != nil {
				return err
			}
			objects[c.key(w)] = raw
		}
		if page.NextPageToken == "" {
			break
		}
		if page.NextPageToken == token {
			return &StatusError{Method: call.method, Path: call.path, Status: r.status,
				Detail: "the server returned the same page token twice; stopping instead of looping"}
		}
		token = page.NextPageToken
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.drops != drops {
		return nil
	}
	for k, raw := range c.written {
		if raw == nil {
			delete(objects, k)
		} else {
			objects[k] = raw
		}
	}
	c.objects = objects
	return nil
}

// put records w, as the server answered a create or an update, in the
// listing if there is one.
func (c *collectionCache[W]) put(w W) {
	raw, err := json.Marshal(w)
	if err != nil { // cannot happen with wire types; list again rather than serve stale
		c.drop()
		return
	}
	c.record(c.key(w), raw)
}

// remove records that the object with key k is gone.
func (c *collectionCache[W]) remove(k string) { c.record(k, nil) }

// record sets (raw) or deletes (nil) the object with key k in the listing
// and in a fill under way.
func (c *collectionCache[W]) record(k string, raw json.RawMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.written != nil {
		c.written[k] = raw
	}
	if c.objects == nil {
		return
	}
	if raw == nil {
		delete(c.objects, k)
	} else {
		c.objects[k] = raw
	}
}

// drop forgets the listing: after a write whose outcome is unknown.
func (c *collectionCache[W]) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drops++
	c.objects = nil
}

func (c *collectionCache[W]) decode(raw json.RawMessage, w *W) error {
	if err := json.Unmarshal(raw, w); err != nil {
		return fmt.Errorf("GET %s: decoding a %s in the list: %w", c.collection, c.kind, err)
	}
	return nil
}
