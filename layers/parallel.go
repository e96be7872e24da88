package layers

import (
	"sync"

	"github.com/rankae/rankae/linalg"
)

// Layers spread their memory- or exp-bound passes (the convolutions' im2col,
// col2im and transposes, a channel or a pixel per unit; the transcendental
// activations and Adam, one element per unit) over linalg.Threads()
// goroutines, in contiguous ranges. The goroutines are long-lived and fed by
// value through a channel, as linalg's GEMM workers are, so that a training
// step allocates nothing.

// rangeRunner is a pass of a layer that can run on any range [lo, hi) of
// its units independently; step tells a layer's passes apart.
type rangeRunner interface {
	runRange(step, lo, hi int)
}

type rangeTask struct {
	r      rangeRunner
	step   int
	lo, hi int
	done   *sync.WaitGroup
}

var (
	rangeTasks = make(chan rangeTask)

	rangeWorkersMu sync.Mutex
	rangeWorkers   int
)

// parallelSerialElems is the amount of data (floats moved per call) under which
// one goroutine does a whole convolution step: handing work to others costs
// microseconds.
const parallelSerialElems = 1 << 14

// elementGrain is the least number of elements a goroutine is handed by
// forElements: about 50 µs of exp-bound work, well above the few µs a
// hand-off costs.
const elementGrain = 1 << 13

const (
	passForward  = 0
	passBackward = 1
)

// forUnits runs r over the units [0, n) of a step (images, channels, pixels),
// one range per thread; elems is the data the step moves, to keep small
// steps on one goroutine.
func forUnits(r rangeRunner, step, n, elems int, wg *sync.WaitGroup) {
	workers := min(linalg.Threads(), n)
	if elems < parallelSerialElems {
		workers = 1
	}
	forRanges(r, step, n, workers, wg)
}

// forElements runs r over the elements [0, n), in ranges of at least
// elementGrain elements.
func forElements(r rangeRunner, step, n int, wg *sync.WaitGroup) {
	forRanges(r, step, n, min(linalg.Threads(), n/elementGrain), wg)
}

// forRanges runs r.runRange(step, lo, hi) over [0, n) split into up to workers
// contiguous ranges (one more than the helpers linalg.AcquireHelpers gives),
// the last on the calling goroutine, and returns when all are done. wg
// belongs to the caller (a layer), so that nothing is allocated.
func forRanges(r rangeRunner, step, n, workers int, wg *sync.WaitGroup) {
	if workers > 1 {
		helpers := linalg.AcquireHelpers(workers - 1)
		defer linalg.ReleaseHelpers(helpers)
		workers = 1 + helpers
	}
	runRanges(r, step, n, workers, wg)
}

// runRanges is forRanges on workers goroutines whose helpers the caller has
// acquired.
func runRanges(r rangeRunner, step, n, workers int, wg *sync.WaitGroup) {
	if workers <= 1 {
		r.runRange(step, 0, n)
		return
	}
	// As many workers as there can be helpers: every task holds one, so none
	// waits for a worker, not even one sent from a worker (a DataParallel
	// replica's layers).
	ensureRangeWorkers(max(workers, linalg.Threads()) - 1)
	for w := 0; w < workers-1; w++ {
		wg.Add(1)
		rangeTasks <- rangeTask{r: r, step: step, lo: n * w / workers, hi: n * (w + 1) / workers, done: wg}
	}
	r.runRange(step, n*(workers-1)/workers, n) // the caller's share
	wg.Wait()
}

// ensureRangeWorkers starts workers until at least n are running.
func ensureRangeWorkers(n int) {
	rangeWorkersMu.Lock()
	defer rangeWorkersMu.Unlock()
	for ; rangeWorkers < n; rangeWorkers++ {
		go func() {
			for t := range rangeTasks {
				t.r.runRange(t.step, t.lo, t.hi)
				t.done.Done()
			}
		}()
	}
}

// growBuffer returns s resliced to n elements, reallocated only when its
// capacity is short. The contents are unspecified.
func growBuffer(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
