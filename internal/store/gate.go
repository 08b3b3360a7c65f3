package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite's own busy handler is unfair between processes: it sleeps on a
// schedule that grows to 100 ms between attempts, while a process writing
// back to back frees the lock for microseconds between transactions, so a
// second process can starve for as long as the first keeps writing. Writers
// therefore wait in Go instead (see Store.retryWhileLocked): they retry every
// writerPoll, and a process that has written without a break for turnLength
// while more of its writers queue pauses for turnPause (several writerPolls),
// so that a waiting process takes the next transaction. Processes take turns
// of about turnLength; the pause costs a busy process at most 4% of its
// write throughput, and nothing when its writers do not queue.
const (
	writerPoll = time.Millisecond
	turnLength = 100 * time.Millisecond
	turnPause  = 4 * writerPoll
)

// writeGate admits one writer of this process at a time, so that only one
// goroutine polls the database for the write lock. It is a channel rather
// than a sync.Mutex so that waiting honours the context and a deadline.
type writeGate struct {
	slot    chan struct{}
	waiting atomic.Int32 // writers queued at the gate
	// shared is false for a private in-memory database, where no other
	// process can be waiting and a pause would only slow writers down.
	shared bool
	// turnStart is when this process's writers began holding the database
	// without a pause; guarded by slot.
	turnStart time.Time
	refs      int // Stores using the gate; guarded by gates.mu
}

func newWriteGate(shared bool) *writeGate {
	return &writeGate{slot: make(chan struct{}, 1), shared: shared}
}

var errGateTimeout = errors.New("timed out waiting for this process's other writers")

// enter waits until the gate is free or the deadline passes.
func (g *writeGate) enter(ctx context.Context, deadline time.Time) error {
	select {
	case g.slot <- struct{}{}:
	default:
		g.waiting.Add(1)
		defer g.waiting.Add(-1)
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		select {
		case g.slot <- struct{}{}:
		case <-timer.C:
			return errGateTimeout
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if g.turnStart.IsZero() {
		g.turnStart = time.Now()
	}
	return nil
}

// leave opens the gate to the next writer, after a pause when this process
// has had the database long enough and wants it again (see turnLength).
// The caller has already committed or rolled back, so during the pause the
// database itself is free.
func (g *writeGate) leave() {
	switch {
	case g.waiting.Load() == 0:
		g.turnStart = time.Time{} // nobody here wants the database: the turn ends
	case g.shared && time.Since(g.turnStart) >= turnLength:
		time.Sleep(turnPause)
		g.turnStart = time.Time{}
	}
	<-g.slot
}

// gates holds one writeGate per database file open in this process, so that
// two Stores on one file (two provider configurations served by one process,
// or tests) queue in Go as well instead of polling against each other.
var gates = struct {
	mu     sync.Mutex
	byFile map[string]*writeGate
}{byFile: map[string]*writeGate{}}

// claimFile creates the database file at abs if it is missing and returns
// the file's gate with the function that releases it when the Store closes.
//
// Creating the file under gates.mu matters: SQLite's POSIX locks belong to
// the process and vanish when the process closes any descriptor of the file,
// so createPrivateFile must have closed its descriptor before any other Store
// of this process opens the file, and every Store passes through here first.
func claimFile(abs string) (*writeGate, func(), error) {
	gates.mu.Lock()
	defer gates.mu.Unlock()
	if err := createPrivateFile(abs); err != nil {
		return nil, nil, err
	}
	key := gateKey(abs)
	g, ok := gates.byFile[key]
	if !ok {
		g = newWriteGate(true)
		gates.byFile[key] = g
	}
	g.refs++
	var once sync.Once
	return g, func() {
		once.Do(func() {
			gates.mu.Lock()
			defer gates.mu.Unlock()
			if g.refs--; g.refs == 0 {
				delete(gates.byFile, key)
			}
		})
	}, nil
}

// gateKey names the file abs in the gate registry: its path with symbolic
// links resolved, so two spellings of one file share a gate. (Hard links and
// bind mounts still get separate gates; the lock wait covers them.)
func gateKey(abs string) string {
	if p, err := filepath.EvalSymlinks(abs); err == nil {
		return p
	}
	return abs
}
