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
// updates are column dot products and axpys, so each column's backward error
// is relative to that column's norm (graded columns keep their accuracy).
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
		for k := j + 1; k < nt; k++ {
			ck := x[k*mt+j : (k+1)*mt]
			d := t * (ck[0] + v.Dot(tail, ck[1:]))
			ck[0] -= d
			v.Axpy(-d, tail, ck[1:])
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
		tail := x[j*mt+j+1 : (j+1)*mt]
		for k := 0; k < ncols; k++ {
			uk := u[k*mt+j : (k+1)*mt]
			d := t * (uk[0] + v.Dot(tail, uk[1:]))
			if d == 0 {
				continue
			}
			uk[0] -= d
			v.Axpy(-d, tail, uk[1:])
		}
	}
}
