package linalg

import (
	"math"

	"github.com/rankae/rankae/kernels"
)

// The Householder QR that preconditions the Jacobi SVD of a tall matrix (LAPACK
// sgeqr2's layout), on contiguous columns: column j of the mt×nt matrix is
// x[j*mt : (j+1)*mt].

// householderQR overwrites x, scaled to max |x| < 1, with R in its upper
// triangle and the Householder vectors below it: H_j = I − tau[j]·v·vᵀ with v = (0…0, 1, x[j+1:, j]), and
// Q = H_0·H_1·…·H_{nt−1}. Each reflector is built with float64 norms; the
// updates are column dot products and axpys (kernels.HouseholderApply), so
// each column's backward error is relative to that column's norm (graded
// columns keep their accuracy).
func householderQR(v *kernels.Variant, x []float32, mt, nt int, tau []float32) {
	for j := 0; j < nt; j++ {
		col := x[j*mt : (j+1)*mt]
		tail := col[j+1:]
		xx, _, _ := v.JacobiDots(tail, tail)
		alpha := float64(col[j])
		if alpha*alpha+xx < negligibleSq32 {
			// The rest of the column is rounding residue (see negligibleSq32):
			// 1/(alpha − beta) below would overflow float32. It counts as zero.
			clear(tail)
			xx = 0
		}
		if xx == 0 {
			tau[j] = 0 // H_j = I: the column is already reduced
			continue
		}
		beta := -math.Copysign(math.Sqrt(alpha*alpha+xx), alpha)
		t := float32((beta - alpha) / beta)
		tau[j] = t
		v.Scal(float32(1/(alpha-beta)), tail)
		col[j] = float32(beta)
		if j+1 < nt { // H_j on columns j+1…nt−1, rows j…mt−1
			v.HouseholderApply(tail, t, x[(j+1)*mt+j:], mt, nt-j-1)
		}
	}
}

// applyQ overwrites the ncols columns of u (length mt each, column k at
// u[k*mt:]) with Q·u, Q from householderQR's x and tau.
func applyQ(v *kernels.Variant, x []float32, mt, nt int, tau []float32, u []float32, ncols int) {
	for j := nt - 1; j >= 0; j-- {
		t := tau[j]
		if t == 0 {
			continue
		}
		// H_j on rows j…mt−1 of every column.
		v.HouseholderApply(x[j*mt+j+1:(j+1)*mt], t, u[j:], mt, ncols)
	}
}
