// Package linalg will hold the dense linear algebra rankae trains on: the packed,
// cache-blocked SGEMM (and its gonum blas32 adapter), the one-sided Jacobi SVD and
// the stable SVD gradient (DESIGN.md §5). It builds on package kernels.
package linalg
