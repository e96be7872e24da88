package kernels

import "fmt"

// CorrelateRow adds to y the correlation of x with the taps w, the row step
// of a direct convolution:
//
//	for i := range y {
//		for j := range w {
//			y[i] += w[j] * x[i+j]
//		}
//	}
//
// It panics unless len(x) ≥ len(y) + len(w) − 1.
func (v *Variant) CorrelateRow(y, x, w []float32) {
	if len(y) == 0 || len(w) == 0 {
		return
	}
	if len(x) < len(y)+len(w)-1 {
		panic(fmt.Sprintf("kernels: CorrelateRow: len(x) = %d < len(y) + len(w) − 1 = %d", len(x), len(y)+len(w)-1))
	}
	v.correlateRow(y, x, w)
}

// CorrelateRowGrad adds to g the correlation of x with y, the weight
// gradient of CorrelateRow's taps:
//
//	for j := range g {
//		for i := range y {
//			g[j] += y[i] * x[i+j]
//		}
//	}
//
// It panics unless len(x) ≥ len(y) + len(g) − 1.
func (v *Variant) CorrelateRowGrad(g, y, x []float32) {
	if len(y) == 0 || len(g) == 0 {
		return
	}
	if len(x) < len(y)+len(g)-1 {
		panic(fmt.Sprintf("kernels: CorrelateRowGrad: len(x) = %d < len(y) + len(g) − 1 = %d", len(x), len(y)+len(g)-1))
	}
	v.correlateRowGrad(g, y, x)
}

// CorrelateRow adds the correlation of x with w to y with the active variant.
func CorrelateRow(y, x, w []float32) { active.CorrelateRow(y, x, w) }

// CorrelateRowGrad adds the correlation of x with y to g with the active
// variant.
func CorrelateRowGrad(g, y, x []float32) { active.CorrelateRowGrad(g, y, x) }

// correlateLoops returns CorrelateRow and CorrelateRowGrad as Go loops over
// v's Axpy and Dot, one call per tap: the reference, and the kernels of the
// variants without assembly for them.
func correlateLoops(v *Variant) (row func(y, x, w []float32), grad func(g, y, x []float32)) {
	row = func(y, x, w []float32) {
		for j, wj := range w {
			v.axpy(wj, x[j:j+len(y)], y)
		}
	}
	grad = func(g, y, x []float32) {
		for j := range g {
			g[j] += v.dot(y, x[j:j+len(y)])
		}
	}
	return row, grad
}
