package apiserver

import (
	"math"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/engage-oss/terraform-provider-engage/internal/access"
)

// limitRate answers 429 with Retry-After once requests exceed the token
// bucket (rps per second, bursts of burst), server-wide. A refused request
// takes no token, so a client that waits as told gets in.
func (s *server) limitRate(rps float64, burst int) func(http.Handler) http.Handler {
	limiter := rate.NewLimiter(rate.Limit(rps), max(burst, 1))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			res := limiter.Reserve()
			if delay := res.Delay(); delay > 0 {
				res.Cancel() // give the token back: this request is refused
				s.writeError(w, r, &access.RateLimitedError{RetryAfter: time.Duration(math.Ceil(delay.Seconds())) * time.Second})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
