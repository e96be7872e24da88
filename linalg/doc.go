// Package linalg is rankae's dense linear algebra in float32, row-major with
// strides (gonum's convention).
//
// Start with Sgemm, C = alpha·op(A)·op(B) + beta·C with BLAS semantics: the
// Goto/BLIS algorithm (packing into micro-panels, cache blocking, a register-blocked
// micro-kernel from package kernels chosen for the CPU), run on up to Threads()
// goroutines. Blas32 plugs it into gonum: blas32.Use(linalg.Blas32{}).
//
// SVDJacobi (and SVDJacobi64) is the thin SVD by one-sided Jacobi, so far in plain
// Go; its SIMD kernels, preconditioning, parallel ordering and the stable SVD
// gradient are to come (DESIGN.md §5).
package linalg
