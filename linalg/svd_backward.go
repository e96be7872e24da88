package linalg

import (
	"fmt"
	"math"
)

// Stabilisation constants of the stable SVD backward (rrae.txt, Appendix A,
// Source Code 1, lines 7 and 15).
const (
	// svdZeroRel: a singular value with s/s₀·100 < 1e-9 (s₀ the largest)
	// counts as exactly zero.
	svdZeroRel = 1e-9 / 100
	// svdTieGap: 1/(s_j² − s_i²) counts as 0 wherever |s_j² − s_i²| ≤ 1e-9.
	svdTieGap = 1e-9
)

// SVDBackwardWorkLen is the scratch length that BackwardWork and
// ReconstructBackwardWork need for an m×n matrix (any k):
// r + 4·m·r + 3·n·r + 4·r² with r = min(m, n), which covers both.
func SVDBackwardWorkLen(m, n int) int {
	r := min(m, n)
	return r + 4*m*r + 3*n*r + 4*r*r
}

// Backward is the vector–Jacobian product of the thin SVD, the stable SVD
// backward of rrae.txt Appendix A: given the upstream gradients gU (M×R,
// stride R), gS (R) and gV (N×R, stride R) of a loss with respect to U, S
// and V, it writes the gradient with respect to A into the M×N gA (stride
// lda, overwritten):
//
//	gA = U [ (skew(UᵀgU) ⊘ E) S + S (skew(VᵀgV) ⊘ E) + diag(gS) ] Vᵀ
//	     + (I − UUᵀ) gU S⁻¹ Vᵀ            (when M > R)
//	     + U S⁻¹ gVᵀ (I − VVᵀ)            (when N > R)
//
// with skew(X) = X − Xᵀ and E_ij = s_j² − s_i². It is stabilised as the
// paper's JAX rule is: singular values with s/s₀·100 < 1e-9 are taken as 0,
// 1/E_ij is 0 wherever |s_j² − s_i²| ≤ 1e-9 (the diagonal and every tie),
// and S⁻¹ is 0 where s = 0. The result is therefore finite for repeated and
// zero singular values; it is the true gradient where the singular values
// are distinct and non-zero (and U, V are differentiable at all).
//
// A nil gU, gS or gV stands for zero. gA must not overlap the inputs. The
// method allocates its scratch; BackwardWork does not. It panics on short
// slices and lda < max(1, N).
func (s *SVD) Backward(gU, gS, gV, gA []float32, lda int) {
	s.BackwardWork(gU, gS, gV, gA, lda, make([]float32, SVDBackwardWorkLen(s.M, s.N)))
}

// BackwardWork is Backward with caller-provided scratch: work must hold at
// least SVDBackwardWorkLen(M, N) elements; its contents are overwritten. In
// steady state it does not allocate.
func (s *SVD) BackwardWork(gU, gS, gV, gA []float32, lda int, work []float32) {
	svdBackward("SVD.Backward", s.M, s.N, s.R, s.U, s.S, s.V, gU, gS, gV, gA, lda, work)
}

// Backward is the float64 twin of SVD.Backward.
func (s *SVD64) Backward(gU, gS, gV, gA []float64, lda int) {
	s.BackwardWork(gU, gS, gV, gA, lda, make([]float64, SVDBackwardWorkLen(s.M, s.N)))
}

// BackwardWork is the float64 twin of SVD.BackwardWork.
func (s *SVD64) BackwardWork(gU, gS, gV, gA []float64, lda int, work []float64) {
	svdBackward("SVD64.Backward", s.M, s.N, s.R, s.U, s.S, s.V, gU, gS, gV, gA, lda, work)
}

// ReconstructBackward is the vector–Jacobian product of the rank-k
// reconstruction Y_k = U_k S_k V_kᵀ (Reconstruct) with respect to A: given
// the upstream gradient G = ∂loss/∂Y_k (M×N, stride ldg) it writes
// ∂loss/∂A into gA (M×N, stride lda, overwritten). s must be the full thin
// SVD of A (R = min(M, N)), not a truncation: the gradient depends on the
// singular pairs beyond k through the coupling terms below.
//
// Mathematically it is Backward with gU = G V_k S_k, gV = Gᵀ U_k S_k,
// gS = diag(U_kᵀ G V_k), all zero beyond column k. Substituting these and
// cancelling gives, with P = Uᵀ G V, a < k ≤ b < R and
// d_ab = s_a² − s_b²,
//
//	gA = U N Vᵀ + [M > R] G V_k V_kᵀ + [N > R] U_k U_kᵀ G
//
// where N is zero except
//
//	N_ab = s_a (s_a P_ab + s_b P_ba) / d_ab   (s_b (s_b P_ab + s_a P_ba) / d_ab when N > R)
//	N_ba = s_a (s_a P_ba + s_b P_ab) / d_ab   (s_b (s_b P_ba + s_a P_ab) / d_ab when M > R)
//	N_aa' = P_aa'                              (a, a' < k, only when M = N)
//
// This form is what is computed: only the pairs that straddle k have a
// denominator, so ties inside the top k (where Y_k is still smooth) get
// their exact gradient instead of the zero that the stabilised general
// rule would give, and S⁻¹ never appears. The stabilisation is the paper's:
// singular values with s/s₀·100 < 1e-9 are taken as 0 and 1/d_ab is 0
// where |d_ab| ≤ 1e-9. Y_k is differentiable only when s_{k−1} > s_k; at a
// tie across k the result is finite but not a gradient.
//
// gA must not overlap G. The method allocates its scratch;
// ReconstructBackwardWork does not. It panics unless 0 ≤ k ≤ R, on short
// slices and on strides below max(1, N).
func (s *SVD) ReconstructBackward(k int, g []float32, ldg int, gA []float32, lda int) {
	s.ReconstructBackwardWork(k, g, ldg, gA, lda, make([]float32, SVDBackwardWorkLen(s.M, s.N)))
}

// ReconstructBackwardWork is ReconstructBackward with caller-provided
// scratch: work must hold at least SVDBackwardWorkLen(M, N) elements; its
// contents are overwritten. In steady state it does not allocate, so a
// training step can call it every iteration with the same work.
func (s *SVD) ReconstructBackwardWork(k int, g []float32, ldg int, gA []float32, lda int, work []float32) {
	svdReconstructBackward("SVD.ReconstructBackward", s.M, s.N, s.R, s.U, s.S, s.V, k, g, ldg, gA, lda, work)
}

// ReconstructBackward is the float64 twin of SVD.ReconstructBackward.
func (s *SVD64) ReconstructBackward(k int, g []float64, ldg int, gA []float64, lda int) {
	s.ReconstructBackwardWork(k, g, ldg, gA, lda, make([]float64, SVDBackwardWorkLen(s.M, s.N)))
}

// ReconstructBackwardWork is the float64 twin of SVD.ReconstructBackwardWork.
func (s *SVD64) ReconstructBackwardWork(k int, g []float64, ldg int, gA []float64, lda int, work []float64) {
	svdReconstructBackward("SVD64.ReconstructBackward", s.M, s.N, s.R, s.U, s.S, s.V, k, g, ldg, gA, lda, work)
}

// svdCheckMat panics unless x holds a rows×cols matrix with stride ld.
func svdCheckMat(name, what string, rows, cols, ld, lx int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("linalg: %s: stride of %s = %d < max(1, %d)", name, what, ld, cols))
	}
	if rows > 0 && cols > 0 {
		if need := (rows-1)*ld + cols; lx < need {
			panic(fmt.Sprintf("linalg: %s: len(%s) = %d < %d for a %d×%d matrix with stride %d",
				name, what, lx, need, rows, cols, ld))
		}
	}
}

// svdCheckWork panics unless lw ≥ SVDBackwardWorkLen(m, n).
func svdCheckWork(name string, m, n, lw int) {
	if need := SVDBackwardWorkLen(m, n); lw < need {
		panic(fmt.Sprintf("linalg: %s: len(work) = %d < SVDBackwardWorkLen(%d, %d) = %d", name, lw, m, n, need))
	}
}

// svdStableS writes the stabilised singular values into st: s with every
// value below s₀·1e-11 (and everything, if s₀ is 0 or not finite-positive)
// set to zero, the paper's line 7.
func svdStableS[T svdFloat](s, st []T) {
	cut := 0.0
	if len(s) > 0 {
		cut = float64(s[0]) * svdZeroRel
	}
	for i, x := range s {
		if float64(x) >= cut && x > 0 {
			st[i] = x
		} else {
			st[i] = 0
		}
	}
}

// svdInvGap is 1/(x² − y²), or 0 when |x² − y²| ≤ 1e-9. The difference is
// formed as (x − y)(x + y), in float64, to keep close values accurate.
func svdInvGap(x, y float64) float64 {
	d := (x - y) * (x + y)
	if math.Abs(d) <= svdTieGap {
		return 0
	}
	return 1 / d
}

// svdBackward computes the formula documented on SVD.Backward. The
// rectangular term is folded into the middle matrix so that gA comes out of
// two GEMMs: for M > R, (I − UUᵀ) gU S⁻¹ Vᵀ = (gU S⁻¹ − U (UᵀgU) S⁻¹) Vᵀ;
// for N > R, U S⁻¹ gVᵀ (I − VVᵀ) = U (S⁻¹ gVᵀ − S⁻¹ (VᵀgV)ᵀ Vᵀ).
func svdBackward[T svdFloat](name string, m, n, r int, u, s, v, gU, gS, gV, gA []T, lda int, work []T) {
	svdCheckMat(name, "gA", m, n, lda, len(gA))
	if gU != nil {
		svdCheckMat(name, "gU", m, r, max(r, 1), len(gU))
	}
	if gS != nil && len(gS) < r {
		panic(fmt.Sprintf("linalg: %s: len(gS) = %d < R = %d", name, len(gS), r))
	}
	if gV != nil {
		svdCheckMat(name, "gV", n, r, max(r, 1), len(gV))
	}
	svdCheckWork(name, m, n, len(work))
	if m == 0 || n == 0 {
		return
	}
	ldr := r // r ≥ 1 here
	st, work := work[:r], work[r:]
	sinv, work := work[:r], work[r:]
	x, work := work[:r*r], work[r*r:] // UᵀgU
	y, work := work[:r*r], work[r*r:] // VᵀgV
	mid, work := work[:r*r], work[r*r:]
	big := work[:max(m, n)*r]

	svdStableS(s, st)
	for i, si := range st {
		sinv[i] = 0
		if si != 0 {
			sinv[i] = 1 / si
		}
	}
	if gU != nil {
		svdGemm(true, false, r, r, m, 1, u, ldr, gU, ldr, 0, x, ldr)
	} else {
		clear(x)
	}
	if gV != nil {
		svdGemm(true, false, r, r, n, 1, v, ldr, gV, ldr, 0, y, ldr)
	} else {
		clear(y)
	}
	// mid = (skew(X) ⊘ E) S + S (skew(Y) ⊘ E) + diag(gS), E_ij = s_j² − s_i².
	for i := 0; i < r; i++ {
		si := float64(st[i])
		for j := 0; j < r; j++ {
			var e float64
			if i == j {
				if gS != nil {
					e = float64(gS[i])
				}
			} else {
				sj := float64(st[j])
				kx := float64(x[i*r+j] - x[j*r+i])
				ky := float64(y[i*r+j] - y[j*r+i])
				e = (kx*sj + si*ky) * svdInvGap(sj, si)
			}
			mid[i*r+j] = T(e)
		}
	}
	switch {
	case m > r && gU != nil:
		// (I − UUᵀ) gU S⁻¹ Vᵀ = (gU S⁻¹ − U X S⁻¹) Vᵀ, so
		// gA = (U (mid − X S⁻¹) + gU S⁻¹) Vᵀ.
		for i := 0; i < r; i++ {
			for j := 0; j < r; j++ {
				mid[i*r+j] -= x[i*r+j] * sinv[j]
			}
		}
		for i := 0; i < m; i++ {
			for j := 0; j < r; j++ {
				big[i*r+j] = gU[i*r+j] * sinv[j]
			}
		}
		svdGemm(false, false, m, r, r, 1, u, ldr, mid, ldr, 1, big, ldr)
		svdGemm(false, true, m, n, r, 1, big, ldr, v, ldr, 0, gA, lda)
	case n > r && gV != nil:
		// U S⁻¹ gVᵀ (I − VVᵀ) = U (S⁻¹ gVᵀ − S⁻¹ Yᵀ Vᵀ), so
		// gA = U ((mid − S⁻¹ Yᵀ) Vᵀ + S⁻¹ gVᵀ); big is r×n here.
		for i := 0; i < r; i++ {
			for j := 0; j < r; j++ {
				mid[i*r+j] -= sinv[i] * y[j*r+i]
			}
		}
		for i := 0; i < r; i++ {
			for j := 0; j < n; j++ {
				big[i*n+j] = sinv[i] * gV[j*r+i]
			}
		}
		svdGemm(false, true, r, n, r, 1, mid, ldr, v, ldr, 1, big, n)
		svdGemm(false, false, m, n, r, 1, u, ldr, big, n, 0, gA, lda)
	default:
		svdGemm(false, false, m, r, r, 1, u, ldr, mid, ldr, 0, big, ldr)
		svdGemm(false, true, m, n, r, 1, big, ldr, v, ldr, 0, gA, lda)
	}
}

// svdReconstructBackward computes the closed form documented on
// SVD.ReconstructBackward as one product with inner dimension 2k,
//
//	gA = [L | U_k] · [V_kᵀ ; R],
//	L = U_rest N_{rest,k} + [M > R] G V_k + [M = N] U_k P_kk   (M×k)
//	R = N_{k,rest} V_restᵀ + [N > R] U_kᵀ G                    (k×N)
//
// where "rest" are the columns k..R−1. It needs the blocks P_{:,k} =
// Uᵀ (G V_k) and P_{k,rest} = (U_kᵀ G) V_rest of P = Uᵀ G V. Every
// intermediate with a k-sized side is kept k×(long side) (Lᵀ, not L), so
// that the GEMMs write wide outputs: the micro-kernels are wide (NR = 48
// for AVX-512) and a 16-column output would waste most of each tile. The
// contractions over M that would need a transposed, Go-packed operand go
// through explicit transposes of the k columns of U and V instead.
func svdReconstructBackward[T svdFloat](name string, m, n, r int, u, s, v []T, k int, g []T, ldg int, gA []T, lda int, work []T) {
	if k < 0 || k > r {
		panic(fmt.Sprintf("linalg: %s: k = %d out of range [0, %d]", name, k, r))
	}
	svdCheckMat(name, "G", m, n, ldg, len(g))
	svdCheckMat(name, "gA", m, n, lda, len(gA))
	svdCheckWork(name, m, n, len(work))
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(gA[i*lda : i*lda+n])
		}
		return
	}
	if k == r {
		// Y_R = A for every A, so the VJP is G itself: the form below gives
		// G·V·Vᵀ, U·Uᵀ·G or U·Uᵀ·G·V·Vᵀ, each G, with V or U square.
		for i := 0; i < m; i++ {
			copy(gA[i*lda:i*lda+n], g[i*ldg:i*ldg+n])
		}
		return
	}
	q := r - k // the dropped pairs
	ldq := max(q, 1)
	take := func(l int) []T { x := work[:l]; work = work[l:]; return x }
	st := take(r)
	utk := take(k * m)      // U_kᵀ (k×m)
	lt := take(k * m)       // (G V_k)ᵀ, then Lᵀ (k×m)
	utg := take(k * n)      // U_kᵀ G (k×n)
	pct := take(k * r)      // P_{:,k}ᵀ: pct[a][b] = P_ba (k×r)
	pr := take(k * q)       // P_{k,rest} (k×q)
	nhi := take(k * q)      // N_{k,rest} (k×q)
	nlot := take(k * q)     // N_{rest,k}ᵀ (k×q)
	bbig := take(2 * k * n) // [V_kᵀ ; R] (2k×n)
	abig := take(2 * k * m) // [L | U_k] (m×2k)
	vtk, rr := bbig[:k*n], bbig[k*n:]

	svdStableS(s, st)
	for i := 0; i < m; i++ {
		for a, x := range u[i*r : i*r+k] {
			utk[a*m+i] = x
		}
	}
	for j := 0; j < n; j++ {
		for a, x := range v[j*r : j*r+k] {
			vtk[a*n+j] = x
		}
	}
	svdGemm(false, true, k, m, n, 1, vtk, n, g, ldg, 0, lt, m)   // V_kᵀ Gᵀ
	svdGemm(false, false, k, n, m, 1, utk, m, g, ldg, 0, utg, n) // U_kᵀ G
	svdGemm(false, false, k, r, m, 1, lt, m, u, r, 0, pct, r)    // (G V_k)ᵀ U
	if q > 0 {
		svdGemm(false, false, k, q, n, 1, utg, n, v[k:], r, 0, pr, ldq) // U_kᵀ G V_rest
	}
	tall, wide := m > r, n > r
	for a := 0; a < k; a++ {
		sa := float64(st[a])
		for b := k; b < r; b++ {
			sb := float64(st[b])
			p := float64(pr[a*ldq+b-k]) // P_ab
			t := float64(pct[a*r+b])    // P_ba
			f := svdInvGap(sa, sb)
			hi, lo := sa*(sa*p+sb*t), sa*(sa*t+sb*p)
			if wide {
				hi = sb * (sb*p + sa*t)
			}
			if tall {
				lo = sb * (sb*t + sa*p)
			}
			nhi[a*ldq+b-k] = T(hi * f)
			nlot[a*ldq+b-k] = T(lo * f)
		}
	}
	// Lᵀ = N_{rest,k}ᵀ U_restᵀ + [tall] (G V_k)ᵀ + [square] P_kkᵀ U_kᵀ, in lt.
	beta := T(1)
	if !tall {
		beta = 0
	}
	if m == n {
		svdGemm(false, false, k, m, k, 1, pct, r, utk, m, beta, lt, m)
		beta = 1
	}
	if q > 0 {
		svdGemm(false, true, k, m, q, 1, nlot, ldq, u[k:], r, beta, lt, m)
	} else if beta == 0 {
		clear(lt)
	}
	// R = N_{k,rest} V_restᵀ + [wide] U_kᵀ G, in the lower half of bbig.
	if wide {
		copy(rr, utg)
	}
	if q > 0 {
		beta = 0
		if wide {
			beta = 1
		}
		svdGemm(false, true, k, n, q, 1, nhi, ldq, v[k:], r, beta, rr, n)
	} else if !wide {
		clear(rr)
	}
	for i := 0; i < m; i++ {
		row := abig[i*2*k : (i+1)*2*k]
		for a := 0; a < k; a++ {
			row[a] = lt[a*m+i]
		}
		copy(row[k:], u[i*r:i*r+k])
	}
	svdGemm(false, false, m, n, 2*k, 1, abig, 2*k, bbig, n, 0, gA, lda)
}
