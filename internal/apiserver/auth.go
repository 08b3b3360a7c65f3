package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// Principal is whom a request's bearer token belongs to. ID names the
// token for good (a revoked token's name may be given to a new one); Name
// is for people.
type Principal struct {
	ID     string
	Name   string
	Scopes []string
}

// Authenticator resolves a bearer token. An unknown token is an error
// wrapping access.ErrUnauthorized; its text must not repeat the token.
type Authenticator func(ctx context.Context, token string) (Principal, error)

type principalKey struct{}

// principalFrom returns the authenticated caller of a request, if any.
func principalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// authenticate requires a valid bearer token carrying the scope the request
// needs: 401 without one, 403 when the scope is missing. A request that
// fails it keeps the unit of its address's budget that
// refuseSpentAddresses spent on it; one whose token is accepted gives it
// back, and its token is remembered in accepted (nil: no budget).
func (s *server) authenticate(auth Authenticator, accepted *boundedLRU[struct{}]) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			refuse := func(err error) {
				if accepted != nil {
					accepted.remove(presentedToken(r)) // revoked or expired since
				}
				s.writeError(w, r, err)
			}
			scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				refuse(fmt.Errorf("%w: send an API token as Authorization: Bearer <token>", access.ErrUnauthorized))
				return
			}
			p, err := auth(r.Context(), strings.TrimSpace(token))
			if err != nil {
				refuse(err)
				return
			}
			if accepted != nil {
				if refund, ok := r.Context().Value(budgetRefundKey{}).(func()); ok {
					refund()
				}
				accepted.getOrAdd(presentedToken(r), func() struct{} { return struct{}{} })
			}
			need := access.ScopeWrite
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				need = access.ScopeRead
			}
			if !slices.Contains(p.Scopes, need) {
				s.writeError(w, r, fmt.Errorf("%w: token %q lacks the %s scope this request needs", access.ErrForbidden, p.Name, need))
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
		})
	}
}
