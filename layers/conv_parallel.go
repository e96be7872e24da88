package layers

import (
	"sync"

	"github.com/rankae/rankae/linalg"
)

// The convolution layers run their memory-bound steps (im2col, col2im and the
// permutations between NCHW and the GEMM's channel-major layout) one image per
// unit of work, spread over linalg.Threads() goroutines. The goroutines are
// long-lived and fed by value through a channel, as linalg's GEMM workers are,
// so that a training step allocates nothing.

// imageRunner is a step of a layer that can run on any range of the batch's
// images independently.
type imageRunner interface {
	runImages(step, lo, hi int)
}

type imageTask struct {
	r      imageRunner
	step   int
	lo, hi int
	done   *sync.WaitGroup
}

var (
	imageTasks = make(chan imageTask)

	imageWorkersMu sync.Mutex
	imageWorkers   int
)

// parallelSerialElems is the amount of data (floats moved per call) under which
// one goroutine does the whole step: handing work to others costs microseconds.
const parallelSerialElems = 1 << 14

// forImages runs r.runImages(step, lo, hi) over the images [0, n), split into
// up to linalg.Threads() contiguous ranges, and returns when all are done.
// elems is the data the step moves, to keep small steps on one goroutine. wg
// belongs to the caller (a layer), so that nothing is allocated.
func forImages(r imageRunner, step, n, elems int, wg *sync.WaitGroup) {
	workers := min(linalg.Threads(), n)
	if workers <= 1 || elems < parallelSerialElems {
		r.runImages(step, 0, n)
		return
	}
	ensureImageWorkers(workers - 1)
	for w := 0; w < workers-1; w++ {
		wg.Add(1)
		imageTasks <- imageTask{r: r, step: step, lo: n * w / workers, hi: n * (w + 1) / workers, done: wg}
	}
	r.runImages(step, n*(workers-1)/workers, n) // the caller's share
	wg.Wait()
}

// ensureImageWorkers starts workers until at least n are running.
func ensureImageWorkers(n int) {
	imageWorkersMu.Lock()
	defer imageWorkersMu.Unlock()
	for ; imageWorkers < n; imageWorkers++ {
		go func() {
			for t := range imageTasks {
				t.r.runImages(t.step, t.lo, t.hi)
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
