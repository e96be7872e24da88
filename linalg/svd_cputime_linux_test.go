package linalg

import "syscall"

// threadCPU returns the CPU time this OS thread has used, in nanoseconds: on a
// shared machine it is what an operation costs, whatever else runs beside it.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
