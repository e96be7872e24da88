package kernels

import "testing"

var sink64 float64

func BenchmarkJacobiDots(b *testing.B) {
	benchVariants(b, 8, func(b *testing.B, v *Variant, n int) {
		x, y := filled(n, 1), filled(n, 0.5)
		for b.Loop() {
			xx, yy, xy := v.JacobiDots(x, y)
			sink64 = xx + yy + xy
		}
	})
}

func BenchmarkJacobiRotate(b *testing.B) {
	benchVariants(b, 16, func(b *testing.B, v *Variant, n int) {
		x, y := filled(n, 1), filled(n, 0.5)
		for b.Loop() {
			// c² + s² = 1, so the values stay bounded however long it runs.
			v.JacobiRotate(x, y, 0.6, 0.8)
		}
	})
}

func BenchmarkJacobiRotate64(b *testing.B) {
	benchVariants(b, 32, func(b *testing.B, v *Variant, n int) {
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = 1, 0.5
		}
		for b.Loop() {
			v.JacobiRotate64(x, y, 0.6, 0.8)
		}
	})
}
