//go:build !linux

package linalg

// threadCPU returns 0 where this thread's CPU time is not measured: loopCPU
// then reports wall-clock time only.
func threadCPU() int64 { return 0 }
