package layers

import (
	"sync"

	"github.com/rankae/rankae/linalg"
)

// The element-wise activations whose cost is a transcendental function per
// element (Sigmoid, Tanh, Softplus) spread large tensors over
// linalg.Threads() goroutines, in contiguous ranges. The goroutines are
// long-lived and fed by value through a channel, as linalg's GEMM workers
// are, so that a training step allocates nothing.

// elementRunner is a pass of a layer that can run on any range of elements
// independently; pass tells a layer's passes apart (forward, backward).
type elementRunner interface {
	runElements(pass, lo, hi int)
}

type elementTask struct {
	r      elementRunner
	pass   int
	lo, hi int
	done   *sync.WaitGroup
}

const (
	passForward  = 0
	passBackward = 1
)

var (
	elementTasks = make(chan elementTask)

	elementWorkersMu sync.Mutex
	elementWorkers   int
)

// elementGrain is the least number of elements a goroutine is handed: about
// 50 µs of exp-bound work, well above the few µs a hand-off costs.
const elementGrain = 1 << 13

// forElements runs r.runElements(pass, lo, hi) over [0, n), split into up to
// linalg.Threads() ranges of at least elementGrain elements, and returns
// when all are done. wg belongs to the caller (a layer), so that nothing is
// allocated.
func forElements(r elementRunner, pass, n int, wg *sync.WaitGroup) {
	workers := min(linalg.Threads(), n/elementGrain)
	if workers <= 1 {
		r.runElements(pass, 0, n)
		return
	}
	ensureElementWorkers(workers - 1)
	for w := 0; w < workers-1; w++ {
		wg.Add(1)
		elementTasks <- elementTask{r: r, pass: pass, lo: n * w / workers, hi: n * (w + 1) / workers, done: wg}
	}
	r.runElements(pass, n*(workers-1)/workers, n) // the caller's share
	wg.Wait()
}

// ensureElementWorkers starts workers until at least n are running.
func ensureElementWorkers(n int) {
	elementWorkersMu.Lock()
	defer elementWorkersMu.Unlock()
	for ; elementWorkers < n; elementWorkers++ {
		go func() {
			for t := range elementTasks {
				t.r.runElements(t.pass, t.lo, t.hi)
				t.done.Done()
			}
		}()
	}
}
