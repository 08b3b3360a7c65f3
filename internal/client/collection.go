package client

import (
	"context"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// collection is one collection of the API as the client reads and writes
// it: its path, the kind of object it holds (as the store names it in
// errors), its listing (cache.go), and the mapping between the access and
// wire forms of its objects. Every Client method on objects is one line over
// one of these, as the server's handlers are over its generic collection.
type collection[A, W any] struct {
	cl    *Client
	path  string
	kind  string
	cache *collectionCache[W]

	toAccess func(W) A
	// body is the JSON a create or a replace sends.
	body func(A) any
	// ref names the object a write is about, from the object itself.
	ref func(A) objectRef
	// version is where an access object keeps its version.
	version func(*A) *access.Version
}

// objectRef names one object of a collection three ways: its key in the
// listing, its URL path, and its identifier in errors.
type objectRef struct{ key, path, id string }

// idRef names the object id of the collection at path.
func idRef(path, id string) objectRef {
	return objectRef{key: id, path: wire.ObjectPath(path, id), id: id}
}

// maskingColumnRef names a masking column by its table and column.
func maskingColumnRef(table, column string) objectRef {
	return objectRef{key: maskingColumnKey(table, column), path: wire.MaskingColumnPath(table, column), id: wire.MaskingColumnID(table, column)}
}

func (c collection[A, W]) list(ctx context.Context, opts access.ListOptions) (access.Page[A], error) {
	return listObjects(ctx, c.cl, c.path, c.kind, opts, c.toAccess)
}

// get reads the object r from the collection's listing.
func (c collection[A, W]) get(ctx context.Context, r objectRef) (A, error) {
	w, v, err := cachedGet(ctx, c.cl, c.cache, r.key, r.path, r.id)
	return c.withVersion(w, v, err)
}

// find reads the first object match accepts from the listing, or notFound.
func (c collection[A, W]) find(ctx context.Context, match func(W) bool, notFound error) (A, error) {
	w, v, err := cachedFind(ctx, c.cl, c.cache, match, func(w W) string { return c.ref(c.toAccess(w)).path }, notFound)
	return c.withVersion(w, v, err)
}

func (c collection[A, W]) create(ctx context.Context, a A) (A, error) {
	w, v, err := createObject[W](ctx, c.cl, c.path, c.kind, c.body(a))
	wrote(c.cache, w, err)
	if err == nil {
		c.cl.remember(c.ref(c.toAccess(w)).path, v)
	}
	return c.withVersion(w, v, err)
}

// update replaces the object a names, conditional on a's version or else on
// the last one this client saw.
func (c collection[A, W]) update(ctx context.Context, a A) (A, error) {
	r := c.ref(a)
	w, v, err := replaceObject[W](ctx, c.cl, r.path, c.kind, r.id, c.body(a), *c.version(&a))
	wrote(c.cache, w, err)
	return c.withVersion(w, v, err)
}

func (c collection[A, W]) delete(ctx context.Context, r objectRef, ifVersion access.Version) error {
	err := c.cl.deleteObject(ctx, r.path, c.kind, r.id, ifVersion)
	deleted(c.cache, r.key, err)
	return err
}

// withVersion is the access form of w with the version from the ETag, or
// the zero value and err.
func (c collection[A, W]) withVersion(w W, v access.Version, err error) (A, error) {
	return withVersion(c.toAccess(w), v, err, c.version)
}
