package linalg

import (
	"math"

	"github.com/rankae/rankae/kernels"
)

// The eigenvector preconditioner of the one-sided Jacobi SVD (Veselić and Hari,
// 1989): with G = XᵀX = Z·Λ·Zᵀ, the columns of X·Z are orthogonal up to the
// rounding of the eigensolver, so that the sweeps' own rotation test, made on
// the Gram matrix of X·Z, usually passes for every pair and no sweep runs. The
// test still decides: where it fails, the sweeps make the columns orthogonal
// to the working precision whatever Z's accuracy, and Z only has to be
// orthogonal (to ≈ n·2⁻⁵³, a relative perturbation of the singular values of
// that size). The eigensolver costs O(n³) flops, most of
// them in matrix products, against the ≈ 6 sweeps · 9n³ of Jacobi on an n×n
// matrix.

// svdEigenMaxN is the number of columns up to which the preconditioner runs:
// measured faster than the QR-preconditioned sweeps at every shape of
// BenchmarkSVD, 4096×1024 included (0.78 s against 1.5 s).
const svdEigenMaxN = 1024

// eigenWork is the preconditioner's part of svdWork.
type eigenWork struct {
	g    []float64 // the Gram matrix of X, then of X·Z
	lam  []float64 // eigenvalues, descending
	cols []float64 // X in float64, column j at cols[j*mt:]; then X·Z as rounded
	rows []float64 // the same by rows (row i at rows[i*nt:]); X·Z before rounding in between
	t32  []float32 // the float32 matrix by rows
	perm []int     // G's rows and columns by descending diagonal
	diag []float64
	gp   []float64 // G so permuted, then the tridiagonalisation's reflectors
	zp   []float64 // its eigenvectors
	sym  symEigenWork
}

// eigenPrecondition writes X·Z into b (mt×nt, column j at b[j*mt:]) and Z into
// w (nt×nt, the rotations the sweeps go on accumulating), for the scaled tall
// matrix x. It reports whether it succeeded (if not, b and w are undefined
// and the caller sweeps x itself) and whether the columns of b are already
// orthogonal to tol (no pair would be rotated: the sweeps can be skipped).
func eigenPrecondition(v *kernels.Variant, x []float32, mt, nt int, b []float32, w []float64, tol float64, ew *eigenWork) (ok, orthogonal bool) {
	g := growS(ew.g, nt*nt)
	ew.g = g
	// X in float64, by columns and by rows: the products of float32 are exact
	// there, so G and X·Z carry only their summation's rounding.
	ew.cols, ew.rows = growS(ew.cols, mt*nt), growS(ew.rows, mt*nt)
	ew.t32 = growS(ew.t32, mt*nt)
	ew.gram(v, x, mt, nt, g, true)
	// G's rows and columns by descending diagonal (X's columns by descending
	// norm), so that a column-graded X gives a G graded downward, whose
	// reduction keeps the small eigenvalues' vectors graded too: without it
	// X·Z cancels in its small columns and the smallest singular values lose
	// their relative accuracy (TestSVDGradedRelativeAccuracy). Z = P·Z_P.
	perm := growS(ew.perm, nt)
	ew.perm = perm
	diag := growS(ew.diag, nt)
	ew.diag = diag
	for i := range diag {
		diag[i] = g[i*nt+i]
	}
	sortDescending(perm, diag)
	gp, zp := growS(ew.gp, nt*nt), growS(ew.zp, nt*nt)
	ew.gp, ew.zp = gp, zp
	for j, pj := range perm {
		for i, pi := range perm {
			gp[j*nt+i] = g[pj*nt+pi]
		}
	}
	ew.lam = growS(ew.lam, nt)
	if !symEigen(v, gp, nt, zp, ew.lam, &ew.sym) {
		return false, false
	}
	for k := 0; k < nt; k++ {
		src, dst := zp[k*nt:(k+1)*nt], w[k*nt:(k+1)*nt]
		for i, e := range src {
			dst[perm[i]] = e
		}
	}
	// B = X·Z, rounded to float32.
	bz := ew.rows
	clear(bz)
	v.Gemm64(mt, nt, nt, ew.cols, mt, w, nt, bz, mt)
	v.Narrow(b, bz)
	// The test the sweeps would make on every pair (kernels.JacobiRotation),
	// on the Gram matrix of b as stored (the triangle g[i*nt+j], j ≥ i).
	ew.gram(v, b, mt, nt, g, false)
	for i := 0; i < nt; i++ {
		app := g[i*nt+i]
		if !(app >= 0 && app <= math.MaxFloat64) {
			return false, false // not finite: no comparison below would fail on it
		}
		for j := i + 1; j < nt; j++ {
			aqq, apq := g[j*nt+j], g[i*nt+j]
			if app >= negligibleSq32 && aqq >= negligibleSq32 && apq*apq > tol*tol*app*aqq {
				return true, false
			}
		}
	}
	return true, true
}

// gram writes G = XᵀX into g (nt×nt) for x (mt×nt, column j at x[j*mt:]):
// g[i*nt+j] for j ≥ i, and the rest too when full. It leaves X in float64 in
// ew.cols (by columns) and ew.rows (by rows), so that the product runs on the
// float64 GEMM.
func (ew *eigenWork) gram(v *kernels.Variant, x []float32, mt, nt int, g []float64, full bool) {
	v.Widen(ew.cols, x)
	v.Transpose(nt, mt, x, mt, ew.t32, nt)
	v.Widen(ew.rows, ew.t32)
	clear(g)
	// One triangle by groups of four columns (Gemm64's pass), then the other
	// by symmetry.
	for j0 := 0; j0 < nt; j0 += 4 {
		w := min(4, nt-j0)
		v.Gemm64(nt-j0, w, mt, ew.rows[j0:], nt, ew.cols[j0*mt:], mt, g[j0*nt+j0:], nt)
	}
	for j := 0; j < nt && full; j++ {
		for i := j + 1; i < nt; i++ {
			g[i*nt+j] = g[j*nt+i]
		}
	}
}
