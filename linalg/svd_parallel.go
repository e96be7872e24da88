package linalg

import (
	"math"

	"github.com/rankae/rankae/kernels"
)

// svdParallelMinN is the number of columns from which the Jacobi sweeps run on
// several goroutines. On the shared 2-core machine of bench/README.md the
// round-robin sweeps on 2 goroutines were 1.5–2× slower than the serial de Rijk
// sweeps at every n up to 512 (BenchmarkSVDThreads): the ordering costs more
// sweeps, and the second core was busy. Until a quiet multi-core machine says
// where it pays, it is used only from n = 2048 on.
const svdParallelMinN = 2048

// jacobiParallel runs Jacobi sweeps in the round-robin (Brent–Luk) ordering:
// each sweep is nc−1 steps (nc rounded up to even), each step rotates nc/2
// disjoint pairs, which run concurrently. The ordering is fixed, so the result
// does not depend on the number of goroutines. There is no de Rijk pivoting:
// it would make the pairs of a step depend on each other.
type jacobiParallel struct {
	ring []int // the round-robin positions; nc stands for the empty seat of odd nc
}

// pairResult is one worker's summary of a step.
type pairResult struct {
	rotated bool
	offMax  float64
}

func (jp *jacobiParallel) sweeps(v *kernels.Variant, cols []float32, rows, nc int, w []float64, norms []float64, st *jacobiStamps, maxSweeps int, tol float64, threads int) error {
	st.reset(nc)
	seats := nc + nc%2
	ring := growS(jp.ring, seats)
	jp.ring = ring
	for i := range ring {
		ring[i] = i
	}
	half := seats / 2
	threads = min(threads, half)
	// run rotates the pairs i ∈ [lo, hi) of the current step.
	run := func(lo, hi int) pairResult {
		var res pairResult
		for i := lo; i < hi; i++ {
			p, q := ring[i], ring[seats-1-i]
			if p == nc || q == nc {
				continue
			}
			if p > q {
				p, q = q, p
			}
			if st.unchanged(p, q) {
				continue
			}
			rel, np, nq, rot := rotatePair(v, cols[p*rows:(p+1)*rows], cols[q*rows:(q+1)*rows],
				w[p*nc:(p+1)*nc], w[q*nc:(q+1)*nc], tol)
			res.offMax = math.Max(res.offMax, rel)
			if rot {
				res.rotated = true
				norms[p], norms[q] = np, nq
			}
			st.recordAt(p, q, rot, st.clock)
		}
		return res
	}
	chunk := func(t int) (lo, hi int) { return t * half / threads, (t + 1) * half / threads }
	// Worker t (1..threads−1) waits for each step on start[t] and reports on
	// done; the calling goroutine does chunk 0. Closing start[t] ends it.
	start := make([]chan struct{}, threads)
	done := make(chan pairResult, threads)
	for t := 1; t < threads; t++ {
		start[t] = make(chan struct{})
		go func(t int) {
			for range start[t] {
				done <- run(chunk(t))
			}
		}(t)
		defer close(start[t])
	}
	var offMax float64
	for sweep := 0; sweep < maxSweeps; sweep++ {
		rotated := false
		offMax = 0
		for step := 0; step < seats-1; step++ {
			st.clock++ // one time for the step's pairs, set before the workers start
			for t := 1; t < threads; t++ {
				start[t] <- struct{}{}
			}
			res := run(chunk(0))
			for t := 1; t < threads; t++ {
				r := <-done
				res.rotated = res.rotated || r.rotated
				res.offMax = math.Max(res.offMax, r.offMax)
			}
			rotated = rotated || res.rotated
			offMax = math.Max(offMax, res.offMax)
			// Seat 0 stays; the others move one seat round.
			last := ring[seats-1]
			copy(ring[2:], ring[1:seats-1])
			ring[1] = last
		}
		if !rotated {
			return nil
		}
	}
	return &NotConvergedError{Sweeps: maxSweeps, OffDiagonal: offMax, Tol: tol}
}
