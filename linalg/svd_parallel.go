package linalg

import "github.com/rankae/rankae/kernels"

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
	ring []int     // the round-robin positions; nc stands for the empty seat of odd nc
	dots []float64 // per pair of a step: the dot products, then cos θ and sin θ
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
	dots := growS(jp.dots, 3*half)
	jp.dots = dots
	// run rotates the pairs i ∈ [lo, hi) of the current step in three passes
	// (all dot products, all rotation angles, all rotations): the pairs are
	// independent, so the latency chains of one pass overlap across pairs
	// instead of adding up pair after pair.
	run := func(lo, hi int) (rotated bool) {
		for i := lo; i < hi; i++ {
			p, q := ring[i], ring[seats-1-i]
			if p == nc || q == nc || st.unchanged(p, q) {
				dots[3*i] = -1
				continue
			}
			dots[3*i], dots[3*i+1], dots[3*i+2] = v.JacobiDots(cols[p*rows:(p+1)*rows], cols[q*rows:(q+1)*rows])
		}
		for i := lo; i < hi; i++ {
			if dots[3*i] < 0 {
				continue
			}
			p, q := ring[i], ring[seats-1-i]
			if p > q {
				p, q = q, p
			}
			cs, sn, t, rot := rotationFor(dots[3*i], dots[3*i+1], dots[3*i+2], tol)
			st.recordAt(p, q, rot, st.clock)
			if !rot {
				dots[3*i] = -1
				continue
			}
			rotated = true
			app, aqq, apq := dots[3*i], dots[3*i+1], dots[3*i+2]
			dots[3*i], dots[3*i+1] = cs, sn
			norms[ring[i]], norms[ring[seats-1-i]] = rotatedNorms(app, aqq, apq, t)
		}
		for i := lo; i < hi; i++ {
			if dots[3*i] < 0 {
				continue
			}
			p, q := ring[i], ring[seats-1-i]
			cs, sn := dots[3*i], dots[3*i+1]
			v.JacobiRotate(cols[p*rows:(p+1)*rows], cols[q*rows:(q+1)*rows], float32(cs), float32(sn))
			v.JacobiRotate64(w[p*nc:(p+1)*nc], w[q*nc:(q+1)*nc], cs, sn)
		}
		return rotated
	}
	chunk := func(t int) (lo, hi int) { return t * half / threads, (t + 1) * half / threads }
	// Worker t (1..threads−1) waits for each step on start[t] and reports on
	// done; the calling goroutine does chunk 0. Closing start[t] ends it.
	start := make([]chan struct{}, threads)
	done := make(chan bool, threads)
	for t := 1; t < threads; t++ {
		start[t] = make(chan struct{})
		go func(t int) {
			for range start[t] {
				done <- run(chunk(t))
			}
		}(t)
		defer close(start[t])
	}
	for sweep := 0; sweep < maxSweeps; sweep++ {
		rotated := false
		for step := 0; step < seats-1; step++ {
			st.clock++ // one time for the step's pairs, set before the workers start
			for t := 1; t < threads; t++ {
				start[t] <- struct{}{}
			}
			if run(chunk(0)) {
				rotated = true
			}
			for t := 1; t < threads; t++ {
				if <-done {
					rotated = true
				}
			}
			// Seat 0 stays; the others move one seat round.
			last := ring[seats-1]
			copy(ring[2:], ring[1:seats-1])
			ring[1] = last
		}
		if !rotated {
			return nil
		}
	}
	return &NotConvergedError{Sweeps: maxSweeps, OffDiagonal: offDiagonal(v, cols, rows, nc), Tol: tol}
}
