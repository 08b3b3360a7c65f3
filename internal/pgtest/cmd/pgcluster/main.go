// Command pgcluster runs a private PostgreSQL cluster for demos and manual
// tests, as the test harness does (package pgtest): its own folder, port
// and password, run as the postgres user when started as root. It prints a
// URL of a new database named engage on standard output, then runs until
// SIGTERM or SIGINT, or until its standard input closes, and stops the
// cluster and removes its folder. Run it from the repository:
//
//	go run ./internal/pgtest/cmd/pgcluster
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/engage-oss/terraform-provider-engage/internal/pgtest"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	c, err := pgtest.Start(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgcluster: %v\n", err)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgcluster: stopping: %v\n", err)
		}
	}()
	u, err := createDatabase(ctx, c.URL, "engage")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgcluster: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "pgcluster: %s started in %s\n", c.Version, c.StartTime.Round(time.Millisecond))
	fmt.Println(u)

	// A caller that dies without signalling closes our standard input
	// (a pipe), which ends the cluster too.
	stdinClosed := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(stdinClosed) }()
	select {
	case <-ctx.Done():
	case <-stdinClosed:
	}
	return 0
}

// createDatabase creates the database name and returns its URL.
func createDatabase(ctx context.Context, admin, name string) (string, error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("connecting to the cluster: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("creating database %s: %w", name, err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", errors.New("the cluster's URL does not parse")
	}
	u.Path = "/" + name
	return u.String(), nil
}
