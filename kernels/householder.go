package kernels

import "fmt"

// HouseholderApply applies the reflector H = I − tau·v·vᵀ with v = (1, tail)
// to the ncols columns of c, column k being c[k*ldc:][:1+len(tail)]:
//
//	for k := 0; k < ncols; k++ {
//		col := c[k*ldc:][:1+len(tail)]
//		d := tau * (col[0] + Dot(tail, col[1:]))
//		if d != 0 {
//			col[0] -= d
//			Axpy(-d, tail, col[1:])
//		}
//	}
//
// This is the update of the Householder QR (LAPACK sgeqr2 on contiguous
// columns) and of the multiplication by its Q. It panics unless ldc ≥
// 1 + len(tail) and c holds the ncols columns; tail must not overlap them.
func (v *Variant) HouseholderApply(tail []float32, tau float32, c []float32, ldc, ncols int) {
	if ncols <= 0 {
		if ncols < 0 {
			panic(fmt.Sprintf("kernels: HouseholderApply: ncols = %d < 0", ncols))
		}
		return
	}
	if ldc < 1+len(tail) || len(c) < (ncols-1)*ldc+1+len(tail) {
		panic(fmt.Sprintf("kernels: HouseholderApply: %d columns of %d with stride %d do not fit in len(c) = %d",
			ncols, 1+len(tail), ldc, len(c)))
	}
	v.householderApply(tail, tau, c, ldc, ncols)
}

// HouseholderApply applies a reflector to columns with the active variant.
func HouseholderApply(tail []float32, tau float32, c []float32, ldc, ncols int) {
	active.HouseholderApply(tail, tau, c, ldc, ncols)
}

// householderApplyLoop returns the Go loop of HouseholderApply over the dot
// and axpy kernels of v: the reference, and the kernel of the variants
// without assembly for it.
func householderApplyLoop(v *Variant) func(tail []float32, tau float32, c []float32, ldc, ncols int) {
	return func(tail []float32, tau float32, c []float32, ldc, ncols int) {
		for k := 0; k < ncols; k++ {
			col := c[k*ldc:][:1+len(tail)]
			d := tau * (col[0] + v.dot(tail, col[1:]))
			if d != 0 {
				col[0] -= d
				v.axpy(-d, tail, col[1:])
			}
		}
	}
}
