package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
	"github.com/engage-oss/terraform-provider-engage/internal/wire"
)

// pageLimit is the page size used when the caller asks for everything: the
// server's maximum, so a refresh costs as few requests as possible.
const pageLimit = 500

// getObject reads the object at path and remembers its ETag.
func getObject[W any](ctx context.Context, cl *Client, path, kind, id string) (W, access.Version, error) {
	return objectCall[W](ctx, cl, call{method: http.MethodGet, path: path, kind: kind, id: id}, path)
}

// createObject posts body to a collection. The caller remembers the ETag
// under the new object's path, which only the response tells.
func createObject[W any](ctx context.Context, cl *Client, collection, kind string, body any) (W, access.Version, error) {
	return objectCall[W](ctx, cl, call{method: http.MethodPost, path: collection, body: body, kind: kind}, "")
}

// replaceObject puts body at path, conditional on v or else on the last
// ETag this client saw there.
func replaceObject[W any](ctx context.Context, cl *Client, path, kind, id string, body any, v access.Version) (W, access.Version, error) {
	c := call{method: http.MethodPut, path: path, body: body, ifMatch: cl.condition(path, v), kind: kind, id: id}
	return objectCall[W](ctx, cl, c, path)
}

func objectCall[W any](ctx context.Context, cl *Client, c call, rememberAt string) (W, access.Version, error) {
	var w W
	r, err := cl.do(ctx, c)
	if err != nil {
		return w, 0, err
	}
	if err := decodeBody(c, r, &w); err != nil {
		return w, 0, err
	}
	v, err := version(c, r)
	if err != nil {
		return w, 0, err
	}
	if rememberAt != "" {
		cl.remember(rememberAt, v)
	}
	return w, v, nil
}

// deleteObject deletes the object at path, conditional on v or else on the
// last ETag this client saw there.
func (cl *Client) deleteObject(ctx context.Context, path, kind, id string, v access.Version) error {
	c := call{method: http.MethodDelete, path: path, ifMatch: cl.condition(path, v), kind: kind, id: id}
	_, err := cl.do(ctx, c)
	if err == nil || isNotFound(err) {
		cl.forget(path)
	}
	return err
}

// listObjects reads one page when opts.Limit is set, and otherwise follows
// next_page_token through the whole collection.
func listObjects[W, A any](ctx context.Context, cl *Client, collection, kind string, opts access.ListOptions, to func(W) A) (access.Page[A], error) {
	all := opts.Limit == 0
	limit := opts.Limit
	if all || limit > pageLimit {
		limit = pageLimit
	}
	token := opts.PageToken
	var out access.Page[A]
	for {
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		if token != "" {
			q.Set("page_token", token)
		}
		c := call{method: http.MethodGet, path: collection, query: q, kind: kind}
		r, err := cl.do(ctx, c)
		if err != nil {
			return access.Page[A]{}, err
		}
		var page wire.List[W]
		if err := decodeBody(c, r, &page); err != nil {
			return access.Page[A]{}, err
		}
		for _, w := range page.Items {
			out.Items = append(out.Items, to(w))
		}
		if !all || page.NextPageToken == "" {
			out.NextPageToken = page.NextPageToken
			if out.Items == nil {
				out.Items = []A{}
			}
			return out, nil
		}
		if page.NextPageToken == token {
			return access.Page[A]{}, &StatusError{Method: c.method, Path: c.path, Status: r.status,
				Detail: "the server returned the same page token twice; stopping instead of looping"}
		}
		token = page.NextPageToken
	}
}
