package linalg

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Truncate returns the rank-k truncation (U_k, S_k, V_k) as a new SVD with
// R = k. It panics unless 0 ≤ k ≤ s.R.
func (s *SVD) Truncate(k int) *SVD {
	u, sv, v := svdTruncate("SVD.Truncate", s.M, s.N, s.R, s.U, s.S, s.V, k)
	return &SVD{M: s.M, N: s.N, R: k, U: u, S: sv, V: v}
}

// Truncate returns the rank-k truncation (U_k, S_k, V_k) as a new SVD64 with
// R = k. It panics unless 0 ≤ k ≤ s.R.
func (s *SVD64) Truncate(k int) *SVD64 {
	u, sv, v := svdTruncate("SVD64.Truncate", s.M, s.N, s.R, s.U, s.S, s.V, k)
	return &SVD64{M: s.M, N: s.N, R: k, U: u, S: sv, V: v}
}

// Reconstruct writes the rank-k reconstruction U_k·diag(S_k)·V_kᵀ into the
// M×N row-major dst with stride ldd. It panics unless 0 ≤ k ≤ s.R, on
// ldd < max(1, N) and on a short dst. It allocates an M×k scratch matrix;
// ReconstructWork is the allocation-free form for loops.
func (s *SVD) Reconstruct(k int, dst []float32, ldd int) {
	s.ReconstructWork(k, dst, ldd, make([]float32, s.M*max(k, 0)))
}

// ReconstructWork is Reconstruct with caller-provided scratch: work must
// hold at least M·k elements (ReconstructWorkLen); its contents are
// overwritten. It does not allocate, so a training step can call it every
// iteration with the same work.
func (s *SVD) ReconstructWork(k int, dst []float32, ldd int, work []float32) {
	svdReconstruct("SVD.Reconstruct", s.M, s.N, s.R, s.U, s.S, s.V, k, dst, ldd, work)
}

// Reconstruct is the float64 twin of SVD.Reconstruct.
func (s *SVD64) Reconstruct(k int, dst []float64, ldd int) {
	s.ReconstructWork(k, dst, ldd, make([]float64, s.M*max(k, 0)))
}

// ReconstructWork is the float64 twin of SVD.ReconstructWork.
func (s *SVD64) ReconstructWork(k int, dst []float64, ldd int, work []float64) {
	svdReconstruct("SVD64.Reconstruct", s.M, s.N, s.R, s.U, s.S, s.V, k, dst, ldd, work)
}

// ReconstructWorkLen is the scratch length ReconstructWork needs for an
// m-row matrix at rank k: m·k.
func ReconstructWorkLen(m, k int) int { return m * k }

func svdTruncate[T svdFloat](name string, m, n, r int, u, s, v []T, k int) (tu, ts, tv []T) {
	if k < 0 || k > r {
		panic(fmt.Sprintf("linalg: %s: k = %d out of range [0, %d]", name, k, r))
	}
	tu, ts, tv = make([]T, m*k), append([]T(nil), s[:k]...), make([]T, n*k)
	for i := 0; i < m; i++ {
		copy(tu[i*k:(i+1)*k], u[i*r:i*r+k])
	}
	for i := 0; i < n; i++ {
		copy(tv[i*k:(i+1)*k], v[i*r:i*r+k])
	}
	return tu, ts, tv
}

// svdReconstruct computes dst = (U_k·diag(S_k))·V_kᵀ with the scaled U_k
// staged in work (m×k, stride k).
func svdReconstruct[T svdFloat](name string, m, n, r int, u, s, v []T, k int, dst []T, ldd int, work []T) {
	if k < 0 || k > r {
		panic(fmt.Sprintf("linalg: %s: k = %d out of range [0, %d]", name, k, r))
	}
	if ldd < max(1, n) {
		panic(fmt.Sprintf("linalg: %s: ldd = %d < max(1, %d)", name, ldd, n))
	}
	if m == 0 || n == 0 {
		return
	}
	if need := (m-1)*ldd + n; len(dst) < need {
		panic(fmt.Sprintf("linalg: %s: len(dst) = %d < %d for a %d×%d matrix with ldd = %d",
			name, len(dst), need, m, n, ldd))
	}
	if len(work) < m*k {
		panic(fmt.Sprintf("linalg: %s: len(work) = %d < M·k = %d", name, len(work), m*k))
	}
	ldw := max(k, 1)
	for i := 0; i < m; i++ {
		for j := 0; j < k; j++ {
			work[i*ldw+j] = u[i*r+j] * s[j]
		}
	}
	svdGemm(false, true, m, n, k, 1, work, ldw, v, max(r, 1), 0, dst, ldd)
}

// svdGemm is C = alpha·op(A)·op(B) + beta·C for either precision: Sgemm for
// float32, gonum's Dgemm for float64 (same row-major convention and BLAS
// semantics; beta = 0 overwrites C).
func svdGemm[T svdFloat](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		Sgemm(transA, transB, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		c := any(c).([]float64)
		if m == 0 || n == 0 {
			return
		}
		if k == 0 { // gonum checks len(a) even then; BLAS only scales C
			for i := 0; i < m; i++ {
				for j := range c[i*ldc : i*ldc+n] {
					c[i*ldc+j] *= float64(beta)
					if beta == 0 {
						c[i*ldc+j] = 0
					}
				}
			}
			return
		}
		tA, tB := blas.NoTrans, blas.NoTrans
		if transA {
			tA = blas.Trans
		}
		if transB {
			tB = blas.Trans
		}
		gonum.Implementation{}.Dgemm(tA, tB, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), c, ldc)
	default:
		panic("linalg: gemm: unsupported element type")
	}
}
