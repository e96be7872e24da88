package linalg

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/rankae/rankae/kernels"
)

// The float32 SVD on the SIMD kernels: one-sided Jacobi on the columns of the tall
// orientation, stored transposed so that every column is contiguous (the pair
// kernels kernels.JacobiDots and JacobiRotate then stream), preconditioned by the
// eigenvectors of XᵀX (svd_eigen.go) or, on wider matrices, by a Householder QR
// when m ≥ 2n (as LAPACK sgejsv), with the accumulated right rotations in
// float64.

// svdWork is the workspace of SVD.Factorize, kept between calls so that a training
// loop factorising same-shaped matrices allocates nothing.
type svdWork struct {
	x     []float32 // the tall matrix, column j at x[j*mt:], overwritten by the QR
	y     []float32 // Rᵀ (nt×nt, column j at y[j*nt:]) on the QR path
	w     []float64 // accumulated right rotations, nt×nt, column j at w[j*nt:]
	ut    []float32 // the tall U, column k at ut[k*mt:]
	vt    []float32 // the tall V, column k at vt[k*nt:]
	tau   []float32 // Householder scalars of the QR
	qr    qrWork    // its block reflectors
	norms []float64 // squared column norms
	sig   []float64 // column norms after convergence
	perm  []int     // static column pivoting of the QR
	order []int     // columns by descending σ
	pos   []int     // Jacobi: logical column → stored column
	zero  []bool    // columns of U or V to complete (σ = 0)
	stamp jacobiStamps
	par   jacobiParallel
	eig   eigenWork
}

// growS returns s resliced to n elements, reallocated only when too small.
func growS[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// Factorize computes the thin SVD of the m×n row-major matrix a (stride lda)
// into s, reusing s's slices and workspace: in steady state (the same or smaller
// shapes) it allocates nothing, which is what a training loop needs. It is
// SVDJacobi (see there for the method, accuracy and errors) in place; a is not
// modified. On a non-finite input s is left with its shapes set and its values
// undefined.
func (s *SVD) Factorize(m, n int, a []float32, lda int) error {
	checkSVDArgs("SVD.Factorize", m, n, len(a), lda)
	return s.factorize(kernels.Active(), m, n, a, lda, svdMaxSweeps32, Threads())
}

// tol32 is the rotation threshold of the float32 Jacobi on columns of length
// rows: sgesvj's √rows·ε tightened 4× (floored at 2ε, the storage rounding of a
// rotated column), which keeps ‖ZᵀZ − I‖_F ≤ 1e-5 for the normalised columns up
// to n ≈ 128 for about one extra sweep.
func tol32(rows int) float64 {
	const eps = 0x1p-24
	return math.Max(math.Sqrt(float64(rows))*eps/4, 2*eps)
}

// svdPlan is how SVD.Factorize goes about a matrix whose tall orientation has
// nt columns: the eigenvector preconditioner (svd_eigen.go) up to eigenMaxN
// columns; the sweeps (after it when it leaves a pair to rotate, or instead
// of it) in the round-robin order up to roundRobinMaxN columns and from
// parallelMinN on with several goroutines (svd_parallel.go), de Rijk's serial
// order otherwise. Tests force each.
type svdPlan struct{ eigenMaxN, roundRobinMaxN, parallelMinN int }

var defaultSVDPlan = svdPlan{svdEigenMaxN, svdRoundRobinMaxN, svdParallelMinN}

// roundRobin reports whether the sweeps of nc columns on threads goroutines
// use the round-robin order.
func (o svdPlan) roundRobin(nc, threads int) bool {
	return nc <= o.roundRobinMaxN || threads > 1 && nc >= o.parallelMinN
}

// sweepThreads returns the goroutines the round-robin sweeps of nc columns
// use: threads from parallelMinN on, one below (a small SVD would otherwise
// start and stop its workers on every call, for steps of a few pairs).
func (o svdPlan) sweepThreads(nc, threads int) int {
	if nc >= o.parallelMinN {
		return threads
	}
	return 1
}

// factorize is Factorize on the kernels of variant v with up to threads
// goroutines in the Jacobi sweeps.
func (s *SVD) factorize(v *kernels.Variant, m, n int, a []float32, lda int, maxSweeps, threads int) error {
	return s.factorizeWith(v, m, n, a, lda, maxSweeps, threads, defaultSVDPlan)
}

// factorizeWith is factorize with the given plan.
func (s *SVD) factorizeWith(v *kernels.Variant, m, n int, a []float32, lda int, maxSweeps, threads int, plan svdPlan) error {
	r := min(m, n)
	s.M, s.N, s.R = m, n, r
	s.U, s.S, s.V = growS(s.U, m*r), growS(s.S, r), growS(s.V, n*r)
	if r == 0 {
		return nil
	}
	trans := n > m
	mt, nt := m, n
	if trans {
		mt, nt = n, m
	}
	ws := &s.work
	x := growS(ws.x, mt*nt)
	ws.x = x
	if trans {
		for i := 0; i < m; i++ {
			copy(x[i*mt:(i+1)*mt], a[i*lda:i*lda+n]) // column i of Aᵀ is row i of A
		}
	} else {
		v.Transpose(m, n, a, lda, x, mt)
	}
	// max |a| on the bits: an integer maximum, in which NaN and ±Inf (all
	// exponent bits set) exceed every finite value.
	var maxBits uint32
	for _, e := range x {
		maxBits = max(maxBits, math.Float32bits(e)&^(1<<31))
	}
	if maxBits >= 0x7f800000 {
		return checkFinite(m, n, a, lda)
	}
	amax := math.Float32frombits(maxBits)
	ut, vt := growS(ws.ut, mt*nt), growS(ws.vt, nt*nt)
	ws.ut, ws.vt = ut, vt
	sig := growS(ws.sig, nt)
	ws.sig = sig
	var err error
	if amax == 0 {
		// A = 0: S = 0 and the identity's columns as U and V.
		clear(ut)
		clear(vt)
		for k := 0; k < nt; k++ {
			ut[k*mt+k], vt[k*nt+k], sig[k] = 1, 1, 0
		}
	} else {
		// Scale by a power of two (exact) to max |a| in [0.5, 1): squared norms
		// in float64 then neither overflow nor underflow.
		_, e := math.Frexp(float64(amax))
		v.Scal(float32(math.Ldexp(1, -e)), x)
		err = s.jacobi(v, mt, nt, maxSweeps, threads, plan)
		for k := range sig {
			sig[k] = math.Ldexp(sig[k], e)
		}
	}
	// Map back: A = Ut S Vtᵀ, or for the transpose A = Vt S Utᵀ. Deterministic
	// signs: the entry of largest magnitude of each V column is positive.
	for k := 0; k < r; k++ {
		s.S[k] = float32(sig[k])
		uc, vc := ut[k*mt:(k+1)*mt], vt[k*nt:(k+1)*nt]
		right := vc // V's column: vt's, or ut's for the transpose
		if trans {
			right = uc
		}
		best := float32(0)
		for _, e := range right {
			if abs32(e) > abs32(best) {
				best = e
			}
		}
		if best < 0 {
			v.Scal(-1, uc)
			v.Scal(-1, vc)
		}
	}
	// The tall U (mt×nt) and V (nt×nt) are stored by columns: row-major
	// U and V are their transposes.
	if trans {
		v.Transpose(nt, nt, vt, nt, s.U, r)
		v.Transpose(nt, mt, ut, mt, s.V, r)
	} else {
		v.Transpose(nt, mt, ut, mt, s.U, r)
		v.Transpose(nt, nt, vt, nt, s.V, r)
	}
	if nc, ok := err.(*NotConvergedError); ok {
		nc.Residual = s.residual(a, lda)
	}
	return err
}

// jacobi computes ws.ut, ws.vt and ws.sig (descending) for the scaled tall
// matrix ws.x (mt×nt, mt ≥ nt ≥ 1, not zero).
func (s *SVD) jacobi(v *kernels.Variant, mt, nt, maxSweeps, threads int, plan svdPlan) error {
	ws := &s.work
	x, ut, vt, sig := ws.x, ws.ut, ws.vt, ws.sig
	useEigen := nt <= plan.eigenMaxN
	useQR := !useEigen && mt >= 2*nt
	w := growS(ws.w, nt*nt)
	ws.w = w
	cols, rows := x, mt
	perm := growS(ws.perm, nt)
	ws.perm = perm
	orthogonal := false
	if useEigen {
		b := growS(ws.y, mt*nt)
		ws.y = b
		var ok bool
		if ok, orthogonal = eigenPrecondition(v, x, mt, nt, b, w, tol32(mt), &ws.eig); ok {
			cols = b
		} else {
			useEigen = false
		}
	}
	if !useEigen {
		clear(w)
		for j := 0; j < nt; j++ {
			w[j*nt+j] = 1
		}
	}
	if useQR {
		// A·P = Q·R with P sorting the columns by descending norm (static
		// pivoting, so that R is graded like A), then Jacobi on Rᵀ:
		// Rᵀ·W = Z·Σ gives A = (Q·W)·Σ·(P·Z)ᵀ. Jacobi converges on Rᵀ in
		// fewer sweeps than on A (sgejsv's observation), and on nt rows.
		s.pivotColumns(v, mt, nt)
		tau := growS(ws.tau, nt)
		ws.tau = tau
		householderQR(v, x, mt, nt, tau, &ws.qr, threads)
		y := growS(ws.y, nt*nt)
		ws.y = y
		for i := 0; i < nt; i++ {
			col := y[i*nt : (i+1)*nt]
			for j := range col {
				if j < i {
					col[j] = 0
				} else {
					col[j] = x[j*mt+i]
				}
			}
		}
		cols, rows = y, nt
	}
	pos := growS(ws.pos, nt)
	ws.pos = pos
	for j := range pos {
		pos[j] = j
	}
	norms := growS(ws.norms, nt)
	ws.norms = norms
	var err error
	switch {
	case orthogonal:
	case plan.roundRobin(nt, threads):
		err = ws.par.sweeps(v, cols, rows, nt, w, &ws.stamp, maxSweeps, tol32(rows), plan.sweepThreads(nt, threads))
	default:
		err = jacobiSweeps(v, cols, rows, nt, w, pos, norms, &ws.stamp, maxSweeps, tol32(rows))
	}
	// σ_k are the norms of the converged columns; order sorts them descending
	// (stable, so ties keep the column order and the result is deterministic).
	order := growS(ws.order, nt)
	ws.order = order
	for j := range order {
		c := cols[pos[j]*rows : (pos[j]+1)*rows]
		xx, _, _ := v.JacobiDots(c, c)
		if xx < negligibleSq32 {
			xx = 0
		}
		norms[j] = math.Sqrt(xx)
	}
	sortDescending(order, norms)
	zero := growS(ws.zero, nt)
	ws.zero = zero
	for k, j := range order {
		sig[k] = norms[j]
		zero[k] = norms[j] == 0
	}
	// The normalised columns, Z.
	z := ut
	if useQR {
		z = vt
	}
	for k, j := range order {
		dst, src := z[k*rows:(k+1)*rows], cols[pos[j]*rows:(pos[j]+1)*rows]
		if zero[k] {
			clear(dst)
			continue
		}
		copy(dst, src)
		v.Scal(float32(1/norms[j]), dst)
	}
	completeColumns(v, z, rows, nt, zero)
	if !useQR {
		for k, j := range order {
			v.Narrow(vt[k*nt:(k+1)*nt], w[pos[j]*nt:(pos[j]+1)*nt])
		}
		return err
	}
	// V = P·Z: row perm[i] of V is row i of Z.
	tmp := ws.y // Rᵀ is no longer needed
	copy(tmp, vt)
	for k := 0; k < nt; k++ {
		src, dst := tmp[k*nt:(k+1)*nt], vt[k*nt:(k+1)*nt]
		for i, e := range src {
			dst[perm[i]] = e
		}
	}
	// U = Q·W: the rotation columns padded with zeros, then the reflectors.
	for k, j := range order {
		dst, src := ut[k*mt:(k+1)*mt], w[pos[j]*nt:(pos[j]+1)*nt]
		for i, e := range src {
			dst[i] = float32(e)
		}
		clear(dst[nt:])
	}
	applyQ(v, x, mt, nt, ws.tau, ut, nt, &ws.qr, threads)
	return err
}

// pivotColumns sorts the columns of ws.x by descending norm (stable) and
// records the permutation in ws.perm: column i of the result is column perm[i]
// of A.
func (s *SVD) pivotColumns(v *kernels.Variant, mt, nt int) {
	ws := &s.work
	x, perm := ws.x, ws.perm
	norms := growS(ws.norms, nt)
	ws.norms = norms
	for j := range perm {
		c := x[j*mt : (j+1)*mt]
		norms[j], _, _ = v.JacobiDots(c, c)
	}
	sortDescending(perm, norms)
	// Apply the permutation through ws.ut as scratch (it is written later).
	tmp := growS(ws.ut, mt*nt)
	ws.ut = tmp
	copy(tmp, x)
	for i, j := range perm {
		copy(x[i*mt:(i+1)*mt], tmp[j*mt:(j+1)*mt])
	}
}

// sortAscending sets idx to the indices 0…len(idx)−1 ordered by ascending
// keys[·], stably (ties keep their order, so the result is deterministic).
func sortAscending(idx []int, keys []float64) {
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > insertionSortMaxN {
		slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(keys[i], keys[j]) })
		return
	}
	for i := 1; i < len(idx); i++ {
		j := i
		for ; j > 0 && keys[i] < keys[idx[j-1]]; j-- {
			idx[j] = idx[j-1]
		}
		idx[j] = i
	}
}

// sortDescending is sortAscending by descending keys.
func sortDescending(idx []int, keys []float64) {
	for i := range idx {
		idx[i] = i
	}
	if len(idx) > insertionSortMaxN {
		slices.SortStableFunc(idx, func(i, j int) int { return cmp.Compare(keys[j], keys[i]) })
		return
	}
	for i := 1; i < len(idx); i++ {
		j := i
		for ; j > 0 && keys[i] > keys[idx[j-1]]; j-- {
			idx[j] = idx[j-1]
		}
		idx[j] = i
	}
}

// insertionSortMaxN is the length up to which the index sorts insert (a QL
// leaf's eigenvalues, a small SVD's norms), several times faster there than
// slices.SortStableFunc's calls through a closure.
const insertionSortMaxN = 64

// jacobiSweeps runs cyclic one-sided Jacobi sweeps with de Rijk pivoting over the
// nc columns (length rows) of cols, stored in the order pos gives, applying every
// rotation to the columns of w (length nc, same storage order) too. The pair
// (p, q) is rotated when |aₚᵀa_q| > tol·‖aₚ‖·‖a_q‖; the dot products are fresh
// for every pair (kernels.JacobiDots computes the three in one pass), so no
// carried norm can drift; norms carries them only to choose the pivots. A pair
// found below the threshold is not looked at again until one of its columns
// has been rotated (st records when), which makes the late sweeps, where few
// columns still move, cheap. It returns an error when maxSweeps sweeps did not
// converge.
func jacobiSweeps(v *kernels.Variant, cols []float32, rows, nc int, w []float64, pos []int, norms []float64, st *jacobiStamps, maxSweeps int, tol float64) error {
	col := func(j int) []float32 { return cols[pos[j]*rows : (pos[j]+1)*rows] }
	wcol := func(j int) []float64 { return w[pos[j]*nc : (pos[j]+1)*nc] }
	st.reset(nc)
	for sweep := 0; sweep < maxSweeps; sweep++ {
		for j := 0; j < nc; j++ {
			c := col(j)
			norms[j], _, _ = v.JacobiDots(c, c)
		}
		rotated := false
		for p := 0; p < nc-1; p++ {
			// de Rijk: bring the largest remaining column forward.
			k := p
			for j := p + 1; j < nc; j++ {
				if norms[j] > norms[k] {
					k = j
				}
			}
			pos[p], pos[k] = pos[k], pos[p]
			norms[p], norms[k] = norms[k], norms[p]
			for q := p + 1; q < nc; q++ {
				if st.unchanged(pos[p], pos[q]) {
					continue
				}
				np, nq, rot := rotatePair(v, col(p), col(q), wcol(p), wcol(q), tol)
				if rot {
					rotated = true
					norms[p], norms[q] = np, nq
				}
				st.record(pos[p], pos[q], rot)
			}
		}
		if !rotated {
			return nil
		}
	}
	return &NotConvergedError{Sweeps: maxSweeps, OffDiagonal: offDiagonal(v, cols, rows, nc), Tol: tol}
}

// offDiagonal returns the largest cosine |aᵢᵀa_j|/(‖aᵢ‖·‖a_j‖) between two of
// the nc columns (length rows) of cols: how far from converged a capped Jacobi
// stopped. It is computed only then, which keeps a square root and a division
// out of every pair.
func offDiagonal(v *kernels.Variant, cols []float32, rows, nc int) float64 {
	var off float64
	for i := 0; i < nc; i++ {
		for j := i + 1; j < nc; j++ {
			xx, yy, xy := v.JacobiDots(cols[i*rows:(i+1)*rows], cols[j*rows:(j+1)*rows])
			if xx > 0 && yy > 0 {
				off = math.Max(off, math.Abs(xy)/math.Sqrt(xx*yy))
			}
		}
	}
	return off
}

// jacobiStamps remembers, on a clock that ticks once per pair looked at, when
// each stored column was last rotated and when each pair was last found below
// the threshold.
type jacobiStamps struct {
	clock   int32
	turns   int32   // rotations done by the serial sweeps (for BenchmarkSVDPairCost)
	rotated []int32 // by stored column
	checked []int32 // by pair of stored columns (i < j at i*nc + j)
	nc      int
}

func (st *jacobiStamps) reset(nc int) {
	st.nc, st.clock, st.turns = nc, 0, 0
	st.rotated = growS(st.rotated, nc)
	st.checked = growS(st.checked, nc*nc)
	for i := range st.rotated {
		st.rotated[i] = -1
	}
	for i := range st.checked {
		st.checked[i] = -2
	}
}

func (st *jacobiStamps) pair(i, j int) int {
	if i > j {
		i, j = j, i
	}
	return i*st.nc + j
}

// unchanged reports whether the pair (i, j) was found below the threshold and
// neither column has been rotated since.
func (st *jacobiStamps) unchanged(i, j int) bool {
	c := st.checked[st.pair(i, j)]
	return c > st.rotated[i] && c > st.rotated[j]
}

func (st *jacobiStamps) record(i, j int, rotated bool) {
	st.clock++
	if rotated {
		st.turns++
	}
	st.recordAt(i, j, rotated, st.clock)
}

// recordAt records a look at the pair (i, j) at time clock, without ticking:
// the round-robin sweeps give all the (disjoint) pairs of a step one time, so
// that goroutines can record concurrently.
func (st *jacobiStamps) recordAt(i, j int, rotated bool, clock int32) {
	if rotated {
		st.rotated[i], st.rotated[j] = clock, clock
	} else {
		st.checked[st.pair(i, j)] = clock
	}
}

// rotatePair computes the dot products of the pair (x, y), and rotates x, y and
// the rotation columns wx, wy when their cosine exceeds tol. It returns the
// squared norms of x and y after it (the rotation changes them by ∓t·aₚᵀa_q)
// and whether it rotated.
func rotatePair(v *kernels.Variant, x, y []float32, wx, wy []float64, tol float64) (xx, yy float64, rotated bool) {
	app, aqq, apq := v.JacobiDots(x, y)
	cs, sn, t, rotated := kernels.JacobiRotation(app, aqq, apq, tol, negligibleSq32)
	if !rotated {
		return app, aqq, false
	}
	v.JacobiRotate(x, y, float32(cs), float32(sn))
	v.JacobiRotate64(wx, wy, cs, sn)
	xx, yy = rotatedNorms(app, aqq, apq, t)
	return xx, yy, true
}

// rotatedNorms returns the squared norms of a pair after the rotation of
// tangent t: the rotation moves t·aₚᵀa_q from one to the other.
func rotatedNorms(app, aqq, apq, t float64) (xx, yy float64) {
	return math.Max(app-t*apq, 0), aqq + t*apq
}

// negligibleSq32 is the squared norm below which a column of the scaled float32
// matrix (max |a| in [0.5, 1)) counts as zero: its entries are near float32's
// smallest normal numbers, where a rotation underflows and changes nothing, so
// the iteration would rotate the same pair until the sweep cap (an exactly
// rank-1 matrix leaves such residue). Singular values below 2⁻¹⁰⁰·max|a| are
// therefore returned as 0.
const negligibleSq32 = 0x1p-200

// completeColumns replaces the columns k of z (nc columns of length rows, rows ≥
// nc) with zero[k] set by unit vectors orthogonal to all the others, found
// deterministically: the first of e₁, e₂, … that keeps more than half its norm
// after two passes of Gram–Schmidt.
func completeColumns(v *kernels.Variant, z []float32, rows, nc int, zero []bool) {
	col := func(k int) []float32 { return z[k*rows : (k+1)*rows] }
	for k := 0; k < nc; k++ {
		if !zero[k] {
			continue
		}
		dst := col(k)
		for e := 0; e < rows; e++ {
			clear(dst)
			dst[e] = 1
			for pass := 0; pass < 2; pass++ {
				for l := 0; l < nc; l++ {
					if l == k || (zero[l] && l > k) {
						continue
					}
					_, _, d := v.JacobiDots(dst, col(l))
					v.Axpy(float32(-d), col(l), dst)
				}
			}
			nrm2, _, _ := v.JacobiDots(dst, dst)
			if nrm2 > 0.25 {
				v.Scal(float32(1/math.Sqrt(nrm2)), dst)
				break
			}
		}
	}
}

// residual returns ‖A − U·diag(S)·Vᵀ‖_F/‖A‖_F in float64 (0 for A = 0).
func (s *SVD) residual(a []float32, lda int) float64 {
	var num, den float64
	for i := 0; i < s.M; i++ {
		for j := 0; j < s.N; j++ {
			var e float64
			for k := 0; k < s.R; k++ {
				e += float64(s.U[i*s.R+k]) * float64(s.S[k]) * float64(s.V[j*s.R+k])
			}
			d := float64(a[i*lda+j])
			num += (d - e) * (d - e)
			den += d * d
		}
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

func checkFinite(m, n int, a []float32, lda int) error {
	for i := 0; i < m && n > 0; i++ {
		for j, x := range a[i*lda : i*lda+n] {
			if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("linalg: SVD: a[%d,%d] = %v is not finite", i, j, f)
			}
		}
	}
	return nil
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }
