package procs

import (
	"os"
	"testing"
	"time"
)

// The test process's own figures: it has used some CPU and holds memory.
func TestOwnFigures(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	busyUntil := time.Now().Add(30 * time.Millisecond)
	for time.Now().Before(busyUntil) {
	}
	cpu, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if cpu <= 0 {
		t.Errorf("CPU time %v, want more than none", cpu)
	}
	if peak, now := ResidentMiB(os.Getpid(), "VmHWM:"), ResidentMiB(os.Getpid(), "VmRSS:"); now <= 0 || peak <= 0 {
		t.Errorf("peak resident %v MiB, current %v", peak, now)
	}
}
