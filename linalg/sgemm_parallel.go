package linalg

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/rankae/rankae/kernels"
)

var maxThreads atomic.Int64 // 0: runtime.GOMAXPROCS(0)

// SetThreads caps the goroutines one Sgemm call uses at n; n ≤ 0 restores the
// default, runtime.GOMAXPROCS(0). It returns the previous setting.
func SetThreads(n int) int {
	if n < 0 {
		n = 0
	}
	return int(maxThreads.Swap(int64(n)))
}

// Threads returns the number of goroutines one large Sgemm call uses.
func Threads() int {
	if n := int(maxThreads.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// helpersBusy counts the goroutines at work for a call other than their
// caller's own share: Sgemm's workers, the layers' range workers, the
// replicas of a data-parallel layer.
var helpersBusy atomic.Int64

// AcquireHelpers reserves up to want helper goroutines among the Threads() − 1
// that may run beside a caller, and returns how many it got, 0 when all are
// busy; it never waits. A call made while others hold the helpers (from a
// helper itself, as a data-parallel replica's layers do, or from another
// goroutine) so runs on fewer goroutines instead of oversubscribing the
// cores. Each helper acquired must be given back by ReleaseHelpers.
func AcquireHelpers(want int) int {
	for {
		busy := helpersBusy.Load()
		n := min(int64(want), int64(Threads()-1)-busy)
		if n <= 0 {
			return 0
		}
		if helpersBusy.CompareAndSwap(busy, busy+n) {
			return int(n)
		}
	}
}

// ReleaseHelpers gives back n helpers acquired by AcquireHelpers.
func ReleaseHelpers(n int) {
	if n > 0 {
		helpersBusy.Add(-int64(n))
	}
}

// parallelFlops is the size of problem (m·n·k) under which one thread is faster
// than paying for the hand-off to others (a few microseconds).
const parallelFlops = 64 * 64 * 64

// run computes p on up to workers goroutines, as many as helpers are free. It
// splits C along its longer side into one block per worker, in whole
// micro-tiles; each worker runs the serial algorithm on its block with its own
// packing buffers, so the workers share nothing and need no barrier.
func run(p gemmProblem, g kernels.GemmMicroKernel, workers int) {
	if workers <= 1 || p.m*p.n*p.k < parallelFlops {
		serial(p, g)
		return
	}
	splitRows := p.m/g.MR >= p.n/g.NR
	unit, extent := g.NR, p.n
	if splitRows {
		unit, extent = g.MR, p.m
	}
	tiles := (extent + unit - 1) / unit
	helpers := AcquireHelpers(min(workers, tiles) - 1)
	defer ReleaseHelpers(helpers)
	workers = 1 + helpers
	if workers <= 1 {
		serial(p, g)
		return
	}
	ensureWorkers(workers - 1)
	wg := waitGroups.get()
	defer waitGroups.put(wg)
	for w := 0; w < workers; w++ {
		lo := tiles * w / workers * unit
		hi := min(extent, tiles*(w+1)/workers*unit)
		q := p
		if splitRows {
			q.m = hi - lo
			if p.packed != nil {
				q.i0 = p.i0 + lo
			} else if p.transA {
				q.a = p.a[lo:]
			} else {
				q.a = p.a[lo*p.lda:]
			}
			q.c = p.c[lo*p.ldc:]
		} else {
			q.n = hi - lo
			if p.transB {
				q.b = p.b[lo*p.ldb:]
			} else {
				q.b = p.b[lo:]
			}
			q.c = p.c[lo:]
		}
		if w == workers-1 {
			serial(q, g) // the caller's share
			break
		}
		wg.Add(1)
		tasks <- gemmTask{p: q, g: g, done: wg}
	}
	wg.Wait()
}

// The workers are long-lived goroutines fed through a channel, so that a parallel
// call allocates nothing: a task is sent by value and its WaitGroup is reused.
type gemmTask struct {
	p    gemmProblem
	g    kernels.GemmMicroKernel
	done *sync.WaitGroup
}

var (
	tasks      = make(chan gemmTask)
	waitGroups freeList[sync.WaitGroup]

	workersMu sync.Mutex
	started   int
)

// ensureWorkers starts workers until at least n are running.
func ensureWorkers(n int) {
	workersMu.Lock()
	defer workersMu.Unlock()
	for ; started < n; started++ {
		go func() {
			for t := range tasks {
				serial(t.p, t.g)
				t.done.Done()
			}
		}()
	}
}
