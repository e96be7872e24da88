package kernels

import "fmt"

// CorrelateTaps adds to rows of y the taps of x, the step of a stride-1
// direct convolution on images with the batch innermost, where each tap of
// the kernel is one offset into x:
//
//	for r := 0; r < rows; r++ {
//		for t := 0; t < n; t++ {
//			for k := range w {
//				y[r*ldy+t] += w[k] * x[r*ldx+offs[k]+t]
//			}
//		}
//	}
//
// It panics unless len(offs) = len(w), every offset is non-negative, and y
// and x hold every element the loop reads or writes.
func (v *Variant) CorrelateTaps(y []float32, ldy int, x []float32, ldx int, w []float32, offs []int, rows, n int) {
	if len(offs) != len(w) {
		panic(fmt.Sprintf("kernels: CorrelateTaps: %d offsets for %d taps", len(offs), len(w)))
	}
	if checkTapRows("CorrelateTaps", y, ldy, x, ldx, offs, rows, n) {
		v.correlateTaps(y, ldy, x, ldx, w, offs, rows, n)
	}
}

// CorrelateTapsGrad adds to each g[k] the dot product of rows of y with tap
// k of x, the weight gradient of CorrelateTaps:
//
//	for k := range g {
//		for r := 0; r < rows; r++ {
//			for t := 0; t < n; t++ {
//				g[k] += y[r*ldy+t] * x[r*ldx+offs[k]+t]
//			}
//		}
//	}
//
// It panics on the arguments CorrelateTaps refuses.
func (v *Variant) CorrelateTapsGrad(g, y []float32, ldy int, x []float32, ldx int, offs []int, rows, n int) {
	if len(offs) != len(g) {
		panic(fmt.Sprintf("kernels: CorrelateTapsGrad: %d offsets for %d taps", len(offs), len(g)))
	}
	if checkTapRows("CorrelateTapsGrad", y, ldy, x, ldx, offs, rows, n) {
		v.correlateTapsGrad(g, y, ldy, x, ldx, offs, rows, n)
	}
}

// checkTapRows panics unless rows of n elements at strides ldy and ldx,
// shifted by offs in x, lie inside y and x, and reports whether there is
// any work (rows, n and taps all positive).
func checkTapRows(kernel string, y []float32, ldy int, x []float32, ldx int, offs []int, rows, n int) bool {
	if rows < 0 || n < 0 || ldy < 0 || ldx < 0 {
		panic(fmt.Sprintf("kernels: %s: rows = %d, n = %d, ldy = %d, ldx = %d", kernel, rows, n, ldy, ldx))
	}
	if rows == 0 || n == 0 || len(offs) == 0 {
		return false
	}
	last := 0
	for _, o := range offs {
		if o < 0 {
			panic(fmt.Sprintf("kernels: %s: negative offset %d", kernel, o))
		}
		last = max(last, o)
	}
	if need := (rows-1)*ldy + n; len(y) < need {
		panic(fmt.Sprintf("kernels: %s: len(y) = %d < %d", kernel, len(y), need))
	}
	if need := (rows-1)*ldx + last + n; len(x) < need {
		panic(fmt.Sprintf("kernels: %s: len(x) = %d < %d", kernel, len(x), need))
	}
	return true
}

// CorrelateTaps adds the taps of x to y with the active variant.
func CorrelateTaps(y []float32, ldy int, x []float32, ldx int, w []float32, offs []int, rows, n int) {
	active.CorrelateTaps(y, ldy, x, ldx, w, offs, rows, n)
}

// CorrelateTapsGrad adds the taps' dot products to g with the active variant.
func CorrelateTapsGrad(g, y []float32, ldy int, x []float32, ldx int, offs []int, rows, n int) {
	active.CorrelateTapsGrad(g, y, ldy, x, ldx, offs, rows, n)
}

// correlateLoops returns CorrelateTaps and CorrelateTapsGrad as Go loops
// over v's Axpy and Dot, one call per tap and row: the reference, and the
// kernels of the variants without assembly for them.
func correlateLoops(v *Variant) (taps func([]float32, int, []float32, int, []float32, []int, int, int),
	grad func([]float32, []float32, int, []float32, int, []int, int, int)) {
	taps = func(y []float32, ldy int, x []float32, ldx int, w []float32, offs []int, rows, n int) {
		for r := 0; r < rows; r++ {
			yr := y[r*ldy : r*ldy+n]
			for k, wk := range w {
				v.axpy(wk, x[r*ldx+offs[k]:][:n], yr)
			}
		}
	}
	grad = func(g, y []float32, ldy int, x []float32, ldx int, offs []int, rows, n int) {
		for k := range g {
			for r := 0; r < rows; r++ {
				g[k] += v.dot(y[r*ldy:r*ldy+n], x[r*ldx+offs[k]:][:n])
			}
		}
	}
	return taps, grad
}
