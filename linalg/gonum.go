package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Blas32 satisfies gonum's blas.Float32 with rankae's Sgemm and gonum's native
// implementation of every other routine. After
//
//	blas32.Use(linalg.Blas32{})
//
// gonum's float32 code (blas32.Gemm and everything built on it) runs on this GEMM.
type Blas32 struct {
	gonum.Implementation
}

var _ blas.Float32 = Blas32{}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C with gonum's argument convention
// (row-major, blas.Transpose flags); conjugate transposition is plain transposition
// for real matrices.
func (Blas32) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(transposed(tA), transposed(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func transposed(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic("linalg: Blas32.Sgemm: bad transpose flag")
}
