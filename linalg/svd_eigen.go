package linalg

import "github.com/rankae/rankae/kernels"

// The eigenvector preconditioner of the one-sided Jacobi SVD (Veselić and Hari,
// 1989): with G = XᵀX = Z·Λ·Zᵀ, the columns of X·Z are orthogonal up to the
// rounding of the eigensolver, so the Jacobi sweeps that follow on X·Z usually
// look at every pair once and rotate none. The sweeps still decide: they make
// the columns orthogonal to the working precision whatever Z's accuracy, and Z
// only has to be orthogonal (to ≈ n·2⁻⁵³, a relative perturbation of the
// singular values of that size). A tridiagonal eigensolver costs ≈ 10n³ flops
// against the ≈ 6 sweeps · 9n³ of Jacobi on an n×n matrix.

// svdEigenMaxN is the number of columns up to which the preconditioner runs.
const svdEigenMaxN = 512

// eigenWork is the preconditioner's part of svdWork.
type eigenWork struct {
	g   []float64 // the Gram matrix, then the tridiagonalisation's reflectors
	lam []float64 // eigenvalues, descending
	x64 []float64 // X in float64
	acc []float64 // one column of X·Z, accumulated in float64
	sym symEigenWork
}

// eigenPrecondition writes X·Z into b (mt×nt, column j at b[j*mt:]) and Z into
// w (nt×nt, the rotations the sweeps go on accumulating), for the scaled tall
// matrix x. It reports whether it succeeded (if not, b and w are undefined
// and the caller sweeps x itself) and whether the columns of b are already
// orthogonal to tol (no pair would be rotated: the sweeps can be skipped).
func eigenPrecondition(v *kernels.Variant, x []float32, mt, nt int, b []float32, w []float64, tol float64, ew *eigenWork) (ok, orthogonal bool) {
	g := growS(ew.g, nt*nt)
	ew.g = g
	// X in float64: the products of float32 are exact there, so G and X·Z
	// carry only their summation's rounding.
	x64 := growS(ew.x64, mt*nt)
	ew.x64 = x64
	for i, e := range x {
		x64[i] = float64(e)
	}
	gram(v, x64, mt, nt, g)
	ew.lam = growS(ew.lam, nt)
	if !symEigen(v, g, nt, w, ew.lam, &ew.sym) {
		return false, false
	}
	acc := growS(ew.acc, mt)
	ew.acc = acc
	for j := 0; j < nt; j++ {
		clear(acc)
		v.Gemv64(acc, x64, mt, w[j*nt:(j+1)*nt])
		bj := b[j*mt : (j+1)*mt]
		for i, e := range acc {
			bj[i] = float32(e)
		}
	}
	// The test the sweeps would make on every pair (kernels.JacobiRotation),
	// on the Gram matrix of b as stored.
	for i, e := range b {
		x64[i] = float64(e)
	}
	gram(v, x64, mt, nt, g)
	for i := 0; i < nt; i++ {
		app := g[i*nt+i]
		for j := i + 1; j < nt; j++ {
			aqq, apq := g[j*nt+j], g[i*nt+j]
			if app >= negligibleSq32 && aqq >= negligibleSq32 && apq*apq > tol*tol*app*aqq {
				return true, false
			}
		}
	}
	return true, true
}

// gram writes G = XᵀX into g (nt×nt, full) for x (mt×nt, column j at x[j*mt:]).
func gram(v *kernels.Variant, x []float64, mt, nt int, g []float64) {
	for j := 0; j < nt; j++ {
		// Column j from row j down: the dots of columns j…nt−1 with column j.
		gj := g[j*nt+j : (j+1)*nt]
		clear(gj)
		v.GemvT64(gj, x[j*mt:], mt, x[j*mt:(j+1)*mt])
		for i := j + 1; i < nt; i++ {
			g[i*nt+j] = g[j*nt+i]
		}
	}
}
