package linalg

import "github.com/rankae/rankae/kernels"

// svdRoundRobinMaxN is the number of columns up to which the sweeps on one
// goroutine use the round-robin order with the batched step kernels
// (kernels.JacobiPairDots, JacobiAngles, JacobiRotatePairs): in
// BenchmarkSVDOrder they took 15–35 % less time than the serial de Rijk sweeps
// at n = 32 and 64 and 5 % less at 128, the same at 256, and 25 % more at 512,
// where de Rijk's pivoting saves sweeps (bench/README.md, SVD).
const svdRoundRobinMaxN = 128

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
	// Per pair of a step, at its index in the step: the columns (p, q), their
	// dot products and the rotation. Each goroutine uses its own index range.
	p, q       []int
	xx, yy, xy []float64
	c, s       []float64

	// The factorisation being swept.
	v     *kernels.Variant
	cols  []float32
	w     []float64
	rows  int
	nc    int
	seats int
	st    *jacobiStamps
	tol   float64
}

func (jp *jacobiParallel) sweeps(v *kernels.Variant, cols []float32, rows, nc int, w []float64, st *jacobiStamps, maxSweeps int, tol float64, threads int) error {
	st.reset(nc)
	seats := nc + nc%2
	*jp = jacobiParallel{ring: growS(jp.ring, seats),
		p: growS(jp.p, seats/2), q: growS(jp.q, seats/2),
		xx: growS(jp.xx, seats/2), yy: growS(jp.yy, seats/2), xy: growS(jp.xy, seats/2),
		c: growS(jp.c, seats/2), s: growS(jp.s, seats/2),
		v: v, cols: cols, w: w, rows: rows, nc: nc, seats: seats, st: st, tol: tol}
	defer func() { jp.v, jp.cols, jp.w, jp.st = nil, nil, nil, nil }()
	ring := jp.ring
	for i := range ring {
		ring[i] = i
	}
	half := seats / 2
	var workers *stepWorkers
	if threads = min(threads, half); threads > 1 {
		workers = jp.startWorkers(threads)
		defer workers.stop()
	}
	for sweep := 0; sweep < maxSweeps; sweep++ {
		rotated := false
		for step := 0; step < seats-1; step++ {
			st.clock++ // one time for the step's pairs, set before the workers start
			if workers != nil {
				rotated = workers.step() || rotated
			} else {
				rotated = jp.step(0, half) || rotated
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

// step rotates the pairs i ∈ [lo, hi) of the current step with the batched
// kernels: the dot products of the pairs that may have moved, their angles,
// then the rotations of those over the threshold. It reports whether any
// pair was rotated.
func (jp *jacobiParallel) step(lo, hi int) (rotated bool) {
	ring, nc, st := jp.ring, jp.nc, jp.st
	p, q := jp.p[lo:lo], jp.q[lo:lo]
	for i := lo; i < hi; i++ {
		a, b := ring[i], ring[jp.seats-1-i]
		if a == nc || b == nc || st.unchanged(a, b) {
			continue
		}
		p, q = append(p, min(a, b)), append(q, max(a, b))
	}
	n := len(p)
	if n == 0 {
		return false
	}
	xx, yy, xy, c, s := jp.xx[lo:lo+n], jp.yy[lo:lo+n], jp.xy[lo:lo+n], jp.c[lo:lo+n], jp.s[lo:lo+n]
	jp.v.JacobiPairDots(jp.cols, jp.rows, p, q, xx, yy, xy)
	rotations := jp.v.JacobiAngles(xx, yy, xy, jp.tol, negligibleSq32, c, s)
	for k := range p {
		st.recordAt(p[k], q[k], s[k] != 0, st.clock)
	}
	if rotations == 0 {
		return false
	}
	// The kernels skip the pairs left unrotated (s = 0).
	jp.v.JacobiRotatePairs(jp.cols, jp.rows, p, q, c, s)
	jp.v.JacobiRotatePairs64(jp.w, nc, p, q, c, s)
	return true
}

// stepWorkers run the steps of jp on several goroutines: worker t
// (1..threads−1) waits for each step on start[t] and reports on done; the
// calling goroutine does chunk 0. The chunks are fixed, so the result does
// not depend on the scheduling.
type stepWorkers struct {
	jp      *jacobiParallel
	threads int
	start   []chan struct{}
	done    chan bool
}

func (jp *jacobiParallel) startWorkers(threads int) *stepWorkers {
	sw := &stepWorkers{jp: jp, threads: threads, start: make([]chan struct{}, threads), done: make(chan bool, threads)}
	for t := 1; t < threads; t++ {
		sw.start[t] = make(chan struct{})
		go func(t int) {
			for range sw.start[t] {
				sw.done <- jp.step(sw.chunk(t))
			}
		}(t)
	}
	return sw
}

func (sw *stepWorkers) chunk(t int) (lo, hi int) {
	half := sw.jp.seats / 2
	return t * half / sw.threads, (t + 1) * half / sw.threads
}

func (sw *stepWorkers) step() (rotated bool) {
	for t := 1; t < sw.threads; t++ {
		sw.start[t] <- struct{}{}
	}
	rotated = sw.jp.step(sw.chunk(0))
	for t := 1; t < sw.threads; t++ {
		rotated = <-sw.done || rotated
	}
	return rotated
}

// stop ends the workers.
func (sw *stepWorkers) stop() {
	for t := 1; t < sw.threads; t++ {
		close(sw.start[t])
	}
}
