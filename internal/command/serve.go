package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/engage-oss/terraform-provider-engage/internal/apiserver"
	"github.com/engage-oss/terraform-provider-engage/internal/store"
)

// Defaults of `serve`.
const (
	DefaultListen   = "127.0.0.1:8750"
	DefaultDatabase = ".engage/server.db"
	// serveRateLimit and serveRateBurst bound what the server accepts from
	// each token: ample for Terraform's default parallelism, and a runaway
	// client is told to back off (429, Retry-After) rather than starving
	// the others.
	serveRateLimit = 100
	serveRateBurst = 200
	// serveRateQueue is how many requests of a token past its bucket wait
	// their turn instead of getting 429 at once: at the default rate, a
	// wait of 0.32 s at most, and a client with up to 32 requests in
	// flight is slowed to its rate instead of spinning on refusals.
	serveRateQueue = 32
	// serveRefusalPause holds each 429 this long (apiserver.Options): a
	// client spinning on refusals instead of waiting as told makes two
	// attempts per connection per second, not thousands.
	serveRefusalPause = 500 * time.Millisecond
	// serveUnauthenticatedLimit and serveUnauthenticatedBurst bound the
	// failed authentications of each client address: a mistyped token
	// retried by hand is nowhere near it, a flood is refused before any
	// token lookup.
	serveUnauthenticatedLimit = 2
	serveUnauthenticatedBurst = 20
	// serveMaxConnections bounds the connections served at once; more wait
	// in the kernel's accept queue instead of failing the process with
	// "too many open files". Keep it under the process's open-file limit
	// (ulimit -n), which the database needs some of too.
	serveMaxConnections = 512
	// shutdownGrace is how long in-flight requests may run after SIGTERM.
	shutdownGrace = 30 * time.Second
)

const serveUsage = `Usage: terraform-provider-engage serve [--listen ADDR] [--database PATH|URL] [--secret-key-file FILE]
                                       [--tls-cert FILE --tls-key FILE]

Serves the Engage reference REST API v1 over the platform's database. Every
request needs a bearer token: mint one with 'terraform-provider-engage token create'.
Each token may make --rate-limit requests per second (bursts of --rate-burst);
beyond that up to --rate-queue of its requests wait their turn, and the rest
get 429 with Retry-After, sent after half a second (a client that retries at
once instead of waiting is slowed down, not served faster). Other tokens are
unaffected.
Each client address may fail authentication --unauthenticated-rate-limit times
per second (bursts of --unauthenticated-burst); beyond that it gets 429 before
its token is looked up. Requests from outside every enabled IP allowlist get 403.
At most --max-connections connections are served at once; more wait.
SIGTERM or SIGINT stops accepting connections, lets in-flight requests finish
(up to 30 s) and closes the database cleanly.

` + databaseHelp + `
Flags:
`

type serveFlags struct {
	databaseFlags
	listen, tlsCert, tlsKey         string
	rateLimit, unauthenticatedLimit float64
	rateBurst, unauthenticatedBurst int
	rateQueue                       int
	maxConnections                  int // 0: no limit
	databaseConnections             int // PostgreSQL only
}

// Serve runs `serve` until a signal arrives or the server fails; it returns
// the process exit code.
func Serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveUsage); fs.PrintDefaults() }
	var f serveFlags
	fs.StringVar(&f.listen, "listen", DefaultListen, "address to listen on")
	f.register(fs)
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); serves HTTPS with --tls-key")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fs.Float64Var(&f.rateLimit, "rate-limit", serveRateLimit, "requests per second each token may make")
	fs.IntVar(&f.rateBurst, "rate-burst", serveRateBurst, "bursts each token may make beyond --rate-limit")
	fs.IntVar(&f.rateQueue, "rate-queue", serveRateQueue,
		"requests of a token beyond --rate-burst that wait their turn (at most rate-queue/rate-limit seconds) instead of getting 429")
	fs.Float64Var(&f.unauthenticatedLimit, "unauthenticated-rate-limit", serveUnauthenticatedLimit,
		"failed authentications per second each client address may make")
	fs.IntVar(&f.unauthenticatedBurst, "unauthenticated-burst", serveUnauthenticatedBurst,
		"bursts of failed authentications each client address may make")
	fs.IntVar(&f.maxConnections, "max-connections", serveMaxConnections,
		"connections served at once; more wait to be accepted (keep it under ulimit -n)")
	fs.IntVar(&f.databaseConnections, "database-connections", store.DefaultPostgresConnections(),
		"connections to a PostgreSQL database at most (twice the CPUs, at least 4; replicas times this must stay under the database's max_connections)")
	if err := fs.Parse(args); err != nil {
		return exitUsage(err)
	}
	for _, bad := range []struct {
		refused bool
		message string
	}{
		{f.maxConnections < 1, "--max-connections must be at least 1"},
		{f.databaseConnections < 1, "--database-connections must be at least 1"},
		{f.rateLimit <= 0, "--rate-limit must be more than 0 (requests per second)"},
		{f.rateBurst < 1, "--rate-burst must be at least 1"},
		{f.rateQueue < 0, "--rate-queue must be 0 (refuse at once) or more"},
		{f.unauthenticatedLimit <= 0, "--unauthenticated-rate-limit must be more than 0 (failures per second)"},
		{f.unauthenticatedBurst < 1, "--unauthenticated-burst must be at least 1"},
	} {
		if bad.refused {
			fmt.Fprintln(stderr, "serve: "+bad.message)
			return 2
		}
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		fmt.Fprintln(stderr, "serve: --tls-cert and --tls-key go together")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	if err := serve(ctx, ln, f, logger); err != nil {
		logger.Error("server stopped", "error", err.Error())
		return 1
	}
	return 0
}

// serve answers on ln until ctx ends, then shuts down gracefully and closes
// the database.
func serve(ctx context.Context, ln net.Listener, f serveFlags, logger *slog.Logger) (err error) {
	st, err := f.open(ctx, store.WithPostgresConnections(f.databaseConnections))
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	if f.maxConnections > 0 {
		ln = netutil.LimitListener(ln, f.maxConnections)
	}

	// Request counts by route, for benchmarks: served at
	// GET /v1/debug/requests and logged on shutdown.
	requests := &apiserver.RequestCounter{}
	handler := apiserver.New(st, apiserver.Options{
		Requests:                 requests,
		Logger:                   logger,
		EnforceAllowlists:        true,
		RateLimit:                f.rateLimit,
		RateBurst:                f.rateBurst,
		RateQueue:                f.rateQueue,
		RefusalPause:             serveRefusalPause,
		UnauthenticatedRateLimit: f.unauthenticatedLimit,
		UnauthenticatedBurst:     f.unauthenticatedBurst,
		Authenticate: func(ctx context.Context, token string) (apiserver.Principal, error) {
			t, err := st.LookupAPIToken(ctx, token)
			return apiserver.Principal{ID: t.ID, Name: t.Name, Scopes: t.Scopes}, err
		},
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if f.tlsCert != "" {
		scheme = "https"
	}
	logger.Info("serving the Engage REST API", "url", scheme+"://"+ln.Addr().String(), "database", st.Location())

	served := make(chan error, 1)
	go func() {
		if f.tlsCert != "" {
			served <- srv.ServeTLS(ln, f.tlsCert, f.tlsKey)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		return err // the listener failed before any signal
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	handler.Close()
	logger.Info("requests served", "routes", requests.Snapshot())
	return nil
}

func exitUsage(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
