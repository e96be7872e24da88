package linalg

import (
	"fmt"

	"github.com/rankae/rankae/kernels"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X)
// is X or Xᵀ as transA and transB say, op(A) is m×k, op(B) is k×n and C is m×n.
// It follows BLAS: beta = 0 overwrites C (NaNs in C included), k = 0 or alpha = 0
// only scales C. Bad dimensions, strides or too-short slices panic with a message
// naming the argument, as gonum does.
//
// The product is computed with the Goto/BLIS algorithm on the active kernel
// variant's micro-kernel, on up to Threads() goroutines for large problems.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(kernels.Active(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemm is Sgemm on the micro-kernel of variant v.
func sgemm(v *kernels.Variant, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmThreads(v, Threads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmThreads is sgemm on up to threads goroutines.
func sgemmThreads(v *kernels.Variant, threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	switch {
	case m < 0:
		panic(fmt.Sprintf("linalg: Sgemm: m = %d < 0", m))
	case n < 0:
		panic(fmt.Sprintf("linalg: Sgemm: n = %d < 0", n))
	case k < 0:
		panic(fmt.Sprintf("linalg: Sgemm: k = %d < 0", k))
	}
	checkMatrix("Sgemm", "a", "lda", rowsA, colsA, a, lda)
	checkMatrix("Sgemm", "b", "ldb", rowsB, colsB, b, ldb)
	checkMatrix("Sgemm", "c", "ldc", m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	p := gemmProblem{
		transA: transA, transB: transB,
		m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
	}
	run(p, v.Gemm(), threads)
}

// checkMatrix panics, naming the function fn, unless s can hold a rows×cols
// row-major matrix with stride ld.
func checkMatrix(fn, name, ldName string, rows, cols int, s []float32, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("linalg: %s: %s = %d < max(1, %d)", fn, ldName, ld, cols))
	}
	if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("linalg: %s: len(%s) = %d < %d for a %d×%d matrix with %s = %d",
			fn, name, len(s), (rows-1)*ld+cols, rows, cols, ldName, ld))
	}
}

// scaleC computes C = beta·C; beta = 0 writes zeros whatever C holds.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else {
			kernels.Scal(beta, row)
		}
	}
}
