// Package linalg is rankae's dense linear algebra in float32, row-major with
// strides (gonum's convention).
//
// Start with Sgemm, C = alpha·op(A)·op(B) + beta·C with BLAS semantics: the
// Goto/BLIS algorithm (packing into micro-panels, cache blocking, a register-blocked
// micro-kernel from package kernels chosen for the CPU), run on up to Threads()
// goroutines, as many of them as are free (AcquireHelpers: calls made at once
// from several goroutines share the cores rather than oversubscribe them).
// Blas32 plugs it into gonum: blas32.Use(linalg.Blas32{}). PackedA and
// SgemmPacked pack an A once for products with many B.
//
// SVDJacobi (SVD.Factorize without allocation, SVDJacobi64 in float64) is the
// thin SVD by one-sided Jacobi on the SIMD kernels, preconditioned by the
// eigenvectors of the Gram matrix (svd_eigen.go, on the float64 eigensolver of
// eigen_sym.go) or a Householder QR; SVD.Reconstruct and the Backward methods
// give the truncated reconstruction and the stable SVD gradient (DESIGN.md §5).
package linalg
