package linalg

import "sync"

// freeList keeps values for reuse across calls. Unlike a sync.Pool, which
// may drop what it holds at any garbage collection, it keeps what it is
// given, so that a caller that has warmed it up never allocates: the
// training step's promise of no allocations after warm-up
// (bench.TestTrainStepAllocatesNothing) holds whenever collections come.
type freeList[T any] struct {
	mu   sync.Mutex
	free []*T
}

// get returns a kept value, or a new zero one when none is left.
func (l *freeList[T]) get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		x := l.free[n-1]
		l.free = l.free[:n-1]
		return x
	}
	return new(T)
}

// put keeps x for a later get.
func (l *freeList[T]) put(x *T) {
	l.mu.Lock()
	l.free = append(l.free, x)
	l.mu.Unlock()
}
