package e2e_test

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/engage-oss/terraform-provider-engage/internal/e2e"
)

// TestCPUTimeCountsWhatTheProcessBurns burns 300 ms of CPU, as the kernel
// reports it to this process (getrusage), and expects CPUTime to see the
// same, give or take the 10 ms ticks /proc counts in and the other threads
// of the test binary.
func TestCPUTimeCountsWhatTheProcessBurns(t *testing.T) {
	self := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	cpuTime := func() time.Duration {
		d, err := e2e.CPUTime(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	const burn = 300 * time.Millisecond
	r0, c0 := self(), cpuTime()
	for self()-r0 < burn {
	}
	c1, r1 := cpuTime(), self()
	if got, want := c1-c0, r1-r0; got < want-50*time.Millisecond || got > want+50*time.Millisecond {
		t.Fatalf("CPUTime grew by %s while getrusage grew by %s", got, want)
	}
}

func TestCPUTimeOfAMissingProcessIsAnError(t *testing.T) {
	if _, err := e2e.CPUTime(1 << 30); err == nil {
		t.Fatal("want an error for a pid that does not exist")
	}
}
