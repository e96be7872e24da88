package linalg

import (
	"math"

	"github.com/rankae/rankae/kernels"
)

// The symmetric eigensolver behind the SVD's eigenvector preconditioner
// (svd_eigen.go): Householder reduction to tridiagonal form (EISPACK tred2),
// then the implicit QL iteration (tql2, eigen_ql.go) up to dcLeaf rows and
// divide and conquer (eigen_dc.go) beyond, in float64 on column-major
// storage, so that every update streams down contiguous columns; the
// reduction works on the lower triangle alone.

// symEigenWork is the reusable workspace of symEigen.
type symEigenWork struct {
	d, e, p []float64
	tau     []float64
	vb, vt  []float64 // formQ's block of reflectors, by columns and by rows
	t       []float64 // its triangular factor
	wv, tw  []float64 // Vᵀ·Z and T·Vᵀ·Z
	c, s    []float64 // the rotations of a QL sweep
	order   []int
	tmp     []float64
	q, y    []float64 // Q and T's eigenvectors on the divide-and-conquer path
	dc      dcWork
}

// symEigen computes the eigen-decomposition G = Z·diag(λ)·Zᵀ of the n×n
// symmetric matrix g (full storage; row-major and column-major alike), which
// it overwrites. On return column j of z (z[j*n:(j+1)*n]) is the unit
// eigenvector of the j-th largest eigenvalue, lam[j]. The eigenvalues are
// accurate to about n·ε·‖G‖ and the columns of z orthonormal to about n·ε
// (ε = 2⁻⁵³): backward stable, not relatively accurate for tiny eigenvalues,
// which is all the SVD's preconditioner needs. It returns false if the QL
// iteration did not converge in 30 iterations for some eigenvalue.
func symEigen(v *kernels.Variant, g []float64, n int, z, lam []float64, w *symEigenWork) bool {
	w.d, w.e, w.p = growS(w.d, n), growS(w.e, n), growS(w.p, n)
	w.tau = growS(w.tau, n)
	d, e := w.d, w.e
	tridiagonalize(v, g, n, d, e, w.tau, w.p)
	if n <= dcLeaf {
		// Small: the QL iteration rotates Q's columns in place.
		formQ(v, g, n, w.tau, z, w)
		w.c, w.s = growS(w.c, n), growS(w.s, n)
		if !tridiagonalQL(v, d, e, n, z, w.c, w.s) {
			return false
		}
	} else {
		// Z = Q·Y with T = Y·diag(d)·Yᵀ by divide and conquer.
		w.q, w.y = growS(w.q, n*n), growS(w.y, n*n)
		formQ(v, g, n, w.tau, w.q, w)
		if !tridiagonalDC(v, d, e, n, w.y, n, &w.dc) {
			return false
		}
		clear(z)
		v.Gemm64(n, n, n, w.q, n, w.y, n, z, n)
	}
	// Eigenvalues descending, with their vectors (divide and conquer returns
	// them ascending: reversed).
	w.order = growS(w.order, n)
	if n <= dcLeaf {
		sortDescending(w.order, d)
	} else {
		for i := range w.order {
			w.order[i] = n - 1 - i
		}
	}
	w.tmp = growS(w.tmp, n*n)
	copy(w.tmp, z)
	for k, j := range w.order {
		lam[k] = d[j]
		copy(z[k*n:(k+1)*n], w.tmp[j*n:(j+1)*n])
	}
	return true
}

// qBlock is the number of reflectors formQ applies at once.
const qBlock = 8

// gramNegligible is the squared norm below which tridiagonalize treats the
// rest of a column as zero. The SVD's Gram matrix, of the matrix scaled to
// max |a| < 1, has entries below its row count.
const gramNegligible = 0x1p-600

// tridiagonalize reduces the symmetric g (n×n, full storage, of which it uses
// the lower triangle and the diagonal blocks: see symBlock) to T = QᵀGQ with diagonal d and off-diagonal e (e[i] couples i and
// i+1; e[n−1] = 0), Q = H₀·H₁·… with H_k = I − tau[k]·u·uᵀ,
// u = (0…0, 1, g[k*n+k+2:(k+1)*n]) (u's leading 1 at index k+1). p is scratch
// of length n.
func tridiagonalize(v *kernels.Variant, g []float64, n int, d, e, tau, p []float64) {
	for k := 0; k+2 < n; k++ {
		x := g[k*n+k+1 : (k+1)*n] // column k below the diagonal
		l := len(x)
		xx := v.Dot64(x[1:], x[1:])
		alpha := x[0]
		if xx < gramNegligible {
			// Rounding residue (an exactly rank-deficient G leaves it): its
			// squares would reach the subnormal range, where the reflector
			// loses its orthogonality. Zeroing it perturbs G by less than that.
			clear(x[1:])
			tau[k], e[k] = 0, alpha
			continue
		}
		beta := -math.Copysign(math.Sqrt(alpha*alpha+xx), alpha)
		t := (beta - alpha) / beta
		scal64(1/(alpha-beta), x[1:])
		x[0] = 1
		tau[k], e[k] = t, beta
		// With p = −t·A₂₂·u and w = p − (t/2)(pᵀu)·u, H·A₂₂·H = A₂₂ + u·wᵀ + w·uᵀ.
		p := p[:l]
		clear(p)
		symvLower(v, g, n, k+1, x, p)
		scal64(-t, p)
		v.Axpy64(-t/2*v.Dot64(p, x), x, p)
		syr2Lower(v, g, n, k+1, x, p)
	}
	for i := 0; i < n; i++ {
		d[i] = g[i*n+i]
	}
	if n >= 2 {
		e[n-2] = g[(n-2)*n+n-1]
	}
	e[n-1] = 0
}

// The reduction keeps only the lower triangle of g current, so that each step
// streams half the matrix: column j from row ⌊j/symBlock⌋·symBlock down, the
// diagonal blocks whole. A block of symBlock columns is one call of the
// column kernels, the rows its diagonal block wastes fewer than the calls
// a column at a time would cost.
const symBlock = 16

// symvLower adds A·x to y for the trailing matrix A = g[k0:, k0:] (n×n
// column-major, lower triangle current), x and y of length n − k0.
func symvLower(v *kernels.Variant, g []float64, n, k0 int, x, y []float64) {
	for c0 := k0 / symBlock * symBlock; c0 < n; c0 += symBlock {
		j0, j1 := max(c0, k0), min(c0+symBlock, n)
		// The block's columns from their diagonal block down, and, by
		// symmetry, the rows below that block for the rows above it.
		v.Gemv64(y[j0-k0:], g[j0*n+j0:], n, x[j0-k0:j1-k0])
		if j1 < n {
			v.GemvT64(y[j0-k0:j1-k0], g[j0*n+j1:], n, x[j1-k0:])
		}
	}
}

// syr2Lower adds x·yᵀ + y·xᵀ to the trailing matrix g[k0:, k0:] where
// symvLower reads it.
func syr2Lower(v *kernels.Variant, g []float64, n, k0 int, x, y []float64) {
	for c0 := k0 / symBlock * symBlock; c0 < n; c0 += symBlock {
		j0, j1 := max(c0, k0), min(c0+symBlock, n)
		v.Rank2Update64(g[j0*n+j0:], n, x[j0-k0:], y[j0-k0:], y[j0-k0:j1-k0], x[j0-k0:j1-k0])
	}
}

// formQ writes Q = H₀·H₁·…·H_{n−3} of tridiagonalize into z (column j at
// z[j*n:]), applying the reflectors last to first so that each touches only
// the trailing block it acts on, qBlock at a time as I − V·T·Vᵀ (LAPACK
// dlarft and dlarfb: three products on kernels.Gemm64, where one pass over Z
// per reflector would be bound by memory; twice as fast at n = 128).
func formQ(v *kernels.Variant, g []float64, n int, tau, z []float64, w *symEigenWork) {
	clear(z)
	for j := 0; j < n; j++ {
		z[j*n+j] = 1
	}
	nr := n - 2 // reflectors
	for j1 := nr; j1 > 0; {
		j0 := (j1 - 1) / qBlock * qBlock
		nb, rows := j1-j0, n-j0-1 // reflectors j0…j1−1 on rows j0+1…n−1
		// V (rows×nb, by columns) and Vᵀ (by columns of length nb).
		vb, vt := growS(w.vb, rows*nb), growS(w.vt, rows*nb)
		w.vb, w.vt = vb, vt
		clear(vb)
		for c := 0; c < nb; c++ {
			k := j0 + c
			col := vb[c*rows : (c+1)*rows]
			col[c] = 1
			copy(col[c+1:], g[k*n+k+2:(k+1)*n])
		}
		for i := 0; i < rows; i++ {
			for c := 0; c < nb; c++ {
				vt[i*nb+c] = vb[c*rows+i]
			}
		}
		// −T (nb×nb, upper, by columns): T[c, c] = t_c and
		// T[0:c, c] = −t_c·T[0:c, 0:c]·V[:, 0:c]ᵀ·v_c.
		t := growS(w.t, nb*nb)
		w.t = t
		clear(t)
		tmp := w.p[:nb]
		for c := 0; c < nb; c++ {
			tc := tau[j0+c]
			t[c*nb+c] = -tc
			if c == 0 || tc == 0 {
				continue
			}
			y := tmp[:c]
			clear(y)
			v.GemvT64(y, vb, rows, vb[c*rows:(c+1)*rows])
			for r := 0; r < c; r++ {
				var acc float64
				for q := r; q < c; q++ {
					acc += t[q*nb+r] * y[q]
				}
				t[c*nb+r] = -tc * acc
			}
		}
		// Z₂₂ ← (I − V·T·Vᵀ)·Z₂₂ on rows and columns j0+1…n−1.
		z22 := z[(j0+1)*n+j0+1:]
		wv, tw := growS(w.wv, nb*rows), growS(w.tw, nb*rows)
		w.wv, w.tw = wv, tw
		clear(wv)
		v.Gemm64(nb, rows, rows, vt, nb, z22, n, wv, nb) // Vᵀ·Z₂₂
		clear(tw)
		v.Gemm64(nb, rows, nb, t, nb, wv, nb, tw, nb) // −T·Vᵀ·Z₂₂
		v.Gemm64(rows, rows, nb, vb, rows, tw, nb, z22, n)
		j1 = j0
	}
}

func scal64(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}
