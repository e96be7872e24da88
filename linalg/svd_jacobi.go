package linalg

import (
	"fmt"
	"math"

	"github.com/rankae/rankae/kernels"
)

// SVD is a thin singular value decomposition A = U·diag(S)·Vᵀ of an M×N
// float32 matrix, R = min(M, N). U is M×R and V is N×R, both row-major with
// strides R; S has length R and is sorted in descending order. The columns of
// U and of V are orthonormal (columns belonging to zero singular values are
// completed deterministically). Signs are deterministic: the entry of largest
// magnitude in each column of V (the first one on ties) is positive.
type SVD struct {
	M, N, R int
	U       []float32 // M×R, row-major, stride R
	S       []float32 // R, descending
	V       []float32 // N×R, row-major, stride R

	work svdWork // reused by Factorize
}

// SVD64 is the float64 twin of SVD.
type SVD64 struct {
	M, N, R int
	U       []float64 // M×R, row-major, stride R
	S       []float64 // R, descending
	V       []float64 // N×R, row-major, stride R
}

// Sweep caps of the one-sided Jacobi iteration.
const (
	svdMaxSweeps32 = 30
	svdMaxSweeps64 = 60
)

// SVDJacobi computes the thin SVD of the m×n row-major matrix a (stride lda)
// by one-sided (Hestenes) Jacobi, as LAPACK sgesvj/sgejsv, preconditioned:
//
//   - the columns of the tall orientation X (wide matrices are transposed)
//     are stored contiguously, so that the pair kernels kernels.JacobiDots
//     (the three dot products of a pair in one pass, accumulated in float64)
//     and kernels.JacobiRotate stream on the active SIMD level;
//   - up to svdEigenMaxN (1024) columns, the eigenvectors Z of the Gram matrix
//     XᵀX, computed in float64 (Householder tridiagonalisation, then divide and
//     conquer with the implicit QL iteration at its leaves), precondition it
//     (Veselić and Hari): the columns of X·Z are orthogonal up to rounding,
//     which is checked on their Gram matrix by the sweeps' own test, so that
//     usually no sweep runs; when a pair fails it (ill-conditioned X, whose
//     small eigenvalues Z resolves only to ε₆₄·κ²), the sweeps below finish on
//     X·Z. G's rows and columns are taken by descending diagonal, which keeps
//     Jacobi's relative accuracy on column-graded matrices (κ = 1e12: the
//     smallest singular values to ≈ 2e-7–6e-7 up to 256 columns, the sweeps
//     alone to ≈ 3e-7–1e-6);
//   - beyond that, when m ≥ 2n a Householder QR with static column pivoting
//     (columns by descending norm) preconditions it, and the sweeps run on Rᵀ
//     (n×n), as sgejsv; from 96 columns on the QR applies its reflectors in
//     blocks of 32 through Sgemm (sgeqrf);
//   - the pair (p, q) is rotated while |aₚᵀa_q| > tol·‖aₚ‖·‖a_q‖ with tol =
//     max(√rows·ε/4, 2ε), sgesvj's √rows·ε tightened so that ‖UᵀU − I‖_F and
//     ‖VᵀV − I‖_F stay ≤ 1e-5; the dot products are fresh for every pair, so no
//     carried column norm can drift (they serve only de Rijk pivoting);
//   - the right rotations are accumulated in float64;
//   - a column whose norm falls below 2⁻¹⁰⁰·max|a| (rounding residue of an
//     exactly rank-deficient matrix) counts as zero: rotating it would
//     underflow and never converge, so such singular values are returned as 0;
//   - up to svdRoundRobinMaxN (128) columns, and from svdParallelMinN on with
//     Threads() > 1, the sweeps use the round-robin (Brent–Luk) ordering: a
//     step's disjoint pairs go through the batched kernels
//     (kernels.JacobiPairDots, JacobiAngles, JacobiRotatePairs), on up to
//     Threads() goroutines in the parallel case, and the result does not
//     depend on their number; in between, serial sweeps with de Rijk
//     pivoting (its ordering saves sweeps on wide matrices).
//
// a is not modified. The work is O(rows·n² + n³) with the preconditioner, and
// O(sweeps·n²·rows) with typically 6–8 sweeps without it. For repeated
// factorisations without allocation, use SVD.Factorize.
//
// Example, the best rank-k approximation of a:
//
//	s, err := linalg.SVDJacobi(m, n, a, lda)
//	if err != nil { ... }
//	ak := make([]float32, m*n)
//	s.Reconstruct(k, ak, n)
//
// It panics on programmer errors (negative dimensions, lda < max(1, n),
// short a). It returns an error (and a nil *SVD) if a holds NaN or Inf, and an
// error if the sweep cap (30 sweeps) is reached; in the latter case the partial
// decomposition is returned with the error, which reports the remaining
// off-diagonal measure and the partial result's residual ‖A − USVᵀ‖/‖A‖.
func SVDJacobi(m, n int, a []float32, lda int) (*SVD, error) {
	checkSVDArgs("SVDJacobi", m, n, len(a), lda)
	s := new(SVD)
	if err := s.factorize(kernels.Active(), m, n, a, lda, svdMaxSweeps32, Threads()); err != nil {
		if checkFinite(m, n, a, lda) != nil {
			return nil, err
		}
		return s, err
	}
	return s, nil
}

// SVDJacobi64 is the float64 twin of SVDJacobi (sweep cap 60).
func SVDJacobi64(m, n int, a []float64, lda int) (*SVD64, error) {
	checkSVDArgs("SVDJacobi64", m, n, len(a), lda)
	u, s, v, err := svdJacobi(m, n, a, lda, svdMaxSweeps64)
	if u == nil {
		return nil, err
	}
	return &SVD64{M: m, N: n, R: len(s), U: u, S: s, V: v}, err
}

func checkSVDArgs(name string, m, n, la, lda int) {
	if m < 0 {
		panic(fmt.Sprintf("linalg: %s: m = %d < 0", name, m))
	}
	if n < 0 {
		panic(fmt.Sprintf("linalg: %s: n = %d < 0", name, n))
	}
	if lda < max(1, n) {
		panic(fmt.Sprintf("linalg: %s: lda = %d < max(1, %d)", name, lda, n))
	}
	if m > 0 && n > 0 {
		if need := (m-1)*lda + n; la < need {
			panic(fmt.Sprintf("linalg: %s: len(a) = %d < %d for a %d×%d matrix with lda = %d",
				name, la, need, m, n, lda))
		}
	}
}

type svdFloat interface{ ~float32 | ~float64 }

func epsOf[T svdFloat]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return 0x1p-24
	}
	return 0x1p-53
}

// negligibleSq is the squared column norm, for a matrix scaled to max |a| = 1,
// below which the Jacobi iteration treats a column as zero: negligibleSq32 for
// float32; for float64, 2⁻¹⁰⁰⁰, where the squared norms (accumulated in
// float64) begin to underflow.
func negligibleSq[T svdFloat]() float64 {
	if epsOf[T]() > 0x1p-30 {
		return negligibleSq32
	}
	return 0x1p-1000
}

// dotT is xᵀy accumulated in float64. Accumulating the float32 case in
// float32 (kernels.Dot) makes the computed cosine |aₚᵀa_q|/(‖aₚ‖‖a_q‖) only
// good to ≈√m·ε, which stalls the iteration when tol is below that; a fused
// SIMD kernel with float64 accumulation is the planned fast path.
func dotT[T svdFloat](x, y []T) float64 {
	var s0, s1 float64
	y = y[:len(x)]
	i := 0
	for ; i+1 < len(x); i += 2 {
		s0 += float64(x[i]) * float64(y[i])
		s1 += float64(x[i+1]) * float64(y[i+1])
	}
	if i < len(x) {
		s0 += float64(x[i]) * float64(y[i])
	}
	return s0 + s1
}

// rotT applies x' = c·x − s·y, y' = s·x + c·y.
func rotT[T svdFloat](c, s T, x, y []T) {
	y = y[:len(x)]
	for i, xv := range x {
		yv := y[i]
		x[i] = c*xv - s*yv
		y[i] = s*xv + c*yv
	}
}

func svdJacobi[T svdFloat](m, n int, a []T, lda int, maxSweeps int) (u, sv, v []T, err error) {
	for i := 0; i < m && n > 0; i++ {
		for j, x := range a[i*lda : i*lda+n] {
			f := float64(x)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, nil, nil, fmt.Errorf("linalg: SVD: a[%d,%d] = %v is not finite", i, j, f)
			}
		}
	}
	r := min(m, n)
	u = make([]T, m*r)
	sv = make([]T, r)
	v = make([]T, n*r)
	if r == 0 {
		return u, sv, v, nil
	}
	// Tall orientation: mt ≥ nt; work is mt×nt column-major.
	trans := n > m
	mt, nt := m, n
	if trans {
		mt, nt = n, m
	}
	work := make([]T, mt*nt)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if trans {
				work[i*mt+j] = a[i*lda+j] // column i of Aᵀ
			} else {
				work[j*mt+i] = a[i*lda+j]
			}
		}
	}
	// Scale to max |a| = 1 to keep squared norms in range.
	var amax float64
	for _, x := range work {
		amax = math.Max(amax, math.Abs(float64(x)))
	}
	if amax > 0 {
		inv := T(1 / amax)
		for i := range work {
			work[i] *= inv
		}
	}
	// V is accumulated in float64 whatever T is (it costs n per rotation
	// against m for A), so VᵀV = I does not degrade with float32 rounding.
	vw := make([]float64, nt*nt) // column-major nt×nt, starts as I
	for j := 0; j < nt; j++ {
		vw[j*nt+j] = 1
	}
	col := func(w []T, ld, j int) []T { return w[j*ld : (j+1)*ld] }
	vcol := func(j int) []float64 { return vw[j*nt : (j+1)*nt] }
	swapCols := func(w []T, ld, p, q int) {
		x, y := col(w, ld, p), col(w, ld, q)
		for i := range x {
			x[i], y[i] = y[i], x[i]
		}
	}
	eps := epsOf[T]()
	tol := math.Sqrt(float64(mt)) * eps
	if eps > 0x1p-30 {
		// float32: sgesvj's √m·ε leaves pairwise cosines up to ≈7e-7 at
		// m = 128, and ‖UᵀU − I‖_F grows with n·tol; a 4× tighter threshold
		// (floored at 2ε, the storage rounding of a rotated column) keeps it
		// ≤ 1e-5 up to n ≈ 128 for about one extra sweep.
		tol = math.Max(tol/4, 2*eps)
	}
	// Columns with a squared norm under tiny are rounding residue near the
	// smallest normal numbers of T, where rotations underflow and stall the
	// iteration (see negligibleSq32): they count as zero.
	tiny := negligibleSq[T]()
	norms := make([]float64, nt) // squared column norms
	converged := false
	var offMax float64
	for sweep := 0; sweep < maxSweeps && amax > 0; sweep++ {
		for j := 0; j < nt; j++ {
			c := col(work, mt, j)
			norms[j] = dotT(c, c)
		}
		rotated := false
		offMax = 0
		for p := 0; p < nt-1; p++ {
			// de Rijk: bring the largest remaining column forward.
			k := p
			for j := p + 1; j < nt; j++ {
				if norms[j] > norms[k] {
					k = j
				}
			}
			if k != p {
				swapCols(work, mt, p, k)
				vp, vk := vcol(p), vcol(k)
				for i := range vp {
					vp[i], vk[i] = vk[i], vp[i]
				}
				norms[p], norms[k] = norms[k], norms[p]
			}
			for q := p + 1; q < nt; q++ {
				ap, aq := col(work, mt, p), col(work, mt, q)
				app := dotT(ap, ap)
				aqq := dotT(aq, aq)
				if app < tiny || aqq < tiny {
					continue
				}
				apq := dotT(ap, aq)
				rel := math.Abs(apq) / math.Sqrt(app) / math.Sqrt(aqq)
				offMax = math.Max(offMax, rel)
				if rel <= tol {
					continue
				}
				rotated = true
				// Rutishauser's stable rotation (as in sgesvj).
				zeta := (aqq - app) / (2 * apq)
				var t float64
				if math.Abs(zeta) > 1/eps {
					t = 1 / (2 * zeta)
				} else {
					t = math.Copysign(1, zeta) / (math.Abs(zeta) + math.Sqrt(1+zeta*zeta))
				}
				cs := 1 / math.Sqrt(1+t*t)
				sn := cs * t
				rotT(T(cs), T(sn), ap, aq)
				rotT(cs, sn, vcol(p), vcol(q))
				norms[p] = math.Max(app-t*apq, 0)
				norms[q] = aqq + t*apq
			}
		}
		if !rotated {
			converged = true
			break
		}
	}
	if amax == 0 {
		converged = true
	}
	// S = column norms; sort descending (stable by index).
	order := make([]int, nt)
	sig := make([]float64, nt)
	for j := 0; j < nt; j++ {
		order[j] = j
		c := col(work, mt, j)
		var s2 float64
		for _, x := range c {
			s2 += float64(x) * float64(x)
		}
		if s2 < tiny {
			s2 = 0
		}
		sig[j] = math.Sqrt(s2)
	}
	for i := 1; i < nt; i++ {
		for j := i; j > 0 && sig[order[j]] > sig[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	// Left vectors (mt×nt column-major) and right vectors.
	ut := make([]T, mt*nt)
	vt := make([]T, nt*nt)
	for k, j := range order {
		for i, x := range vcol(j) {
			vt[k*nt+i] = T(x)
		}
		if sig[j] > 0 {
			inv := 1 / sig[j]
			dst, src := col(ut, mt, k), col(work, mt, j)
			for i, x := range src {
				dst[i] = T(float64(x) * inv)
			}
		}
	}
	// Columns with σ = 0 exactly: complete U deterministically by Gram–Schmidt
	// (two passes) of the unit vectors e₁, e₂, … against the other columns.
	for k, j := range order {
		if sig[j] > 0 {
			continue
		}
		dst := col(ut, mt, k)
		for e := 0; e < mt; e++ {
			for i := range dst {
				dst[i] = 0
			}
			dst[e] = 1
			for pass := 0; pass < 2; pass++ {
				for l := 0; l < nt; l++ {
					if l == k || (sig[order[l]] == 0 && l > k) {
						continue
					}
					o := col(ut, mt, l)
					d := dotT(o, dst)
					for i := range dst {
						dst[i] -= T(d * float64(o[i]))
					}
				}
			}
			nrm := math.Sqrt(dotT(dst, dst))
			if nrm > 0.5 {
				for i := range dst {
					dst[i] = T(float64(dst[i]) / nrm)
				}
				break
			}
		}
	}
	// Map back to A's orientation: A = U S Vᵀ, or for Aᵀ = Ut S Vtᵀ, A = Vt S Utᵀ.
	for k := 0; k < r; k++ {
		sv[k] = T(sig[order[k]] * amax)
	}
	for k := 0; k < r; k++ {
		uc, vc := col(ut, mt, k), col(vt, nt, k)
		if trans {
			uc, vc = vc, uc
		}
		// Deterministic sign: largest-magnitude entry of the V column positive.
		best := 0
		for i := range vc {
			if math.Abs(float64(vc[i])) > math.Abs(float64(vc[best])) {
				best = i
			}
		}
		sgn := T(1)
		if len(vc) > 0 && vc[best] < 0 {
			sgn = -1
		}
		for i, x := range uc {
			u[i*r+k] = sgn * x
		}
		for i, x := range vc {
			v[i*r+k] = sgn * x
		}
	}
	if !converged {
		err = fmt.Errorf("linalg: SVD: one-sided Jacobi did not converge in %d sweeps (sweep cap reached); off-diagonal measure max|aₚᵀa_q|/(‖aₚ‖‖a_q‖) = %.3g > tol %.3g; the partial result is returned",
			maxSweeps, offMax, tol)
	}
	return u, sv, v, err
}
