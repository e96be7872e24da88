package kernels

import (
	"fmt"
	"testing"
)

// Benchmarks are named Kernel/n=N/level=L so that benchstat can slice them, and
// report the bytes each call streams (read plus written) as throughput.

var benchSizes = []int{256, 4096, 262144}

func benchVariants(b *testing.B, bytesPerElem int, f func(b *testing.B, v *Variant, n int)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for _, v := range Variants() {
				b.Run("level="+v.String(), func(b *testing.B) {
					b.SetBytes(int64(bytesPerElem * n))
					f(b, v, n)
				})
			}
		})
	}
}

func filled(n int, value float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = value + float32(i%7)*0.01
	}
	return s
}

var sink float32

func BenchmarkDot(b *testing.B) {
	benchVariants(b, 8, func(b *testing.B, v *Variant, n int) {
		x, y := filled(n, 1), filled(n, 0.5)
		for b.Loop() {
			sink = v.Dot(x, y)
		}
	})
}

func BenchmarkSum(b *testing.B) {
	benchVariants(b, 4, func(b *testing.B, v *Variant, n int) {
		x := filled(n, 1)
		for b.Loop() {
			sink = v.Sum(x)
		}
	})
}

func BenchmarkSumSq(b *testing.B) {
	benchVariants(b, 4, func(b *testing.B, v *Variant, n int) {
		x := filled(n, 1)
		for b.Loop() {
			sink = v.SumSq(x)
		}
	})
}

func BenchmarkAxpy(b *testing.B) {
	benchVariants(b, 12, func(b *testing.B, v *Variant, n int) {
		x, y := filled(n, 1), filled(n, 0.5)
		for b.Loop() {
			v.Axpy(1e-6, x, y)
		}
	})
}

func BenchmarkScal(b *testing.B) {
	benchVariants(b, 8, func(b *testing.B, v *Variant, n int) {
		x := filled(n, 1)
		for b.Loop() {
			v.Scal(1, x)
		}
	})
}

func BenchmarkAdd(b *testing.B) {
	benchVariants(b, 12, func(b *testing.B, v *Variant, n int) {
		x, y, dst := filled(n, 1), filled(n, 0.5), make([]float32, n)
		for b.Loop() {
			v.Add(dst, x, y)
		}
	})
}

func BenchmarkMul(b *testing.B) {
	benchVariants(b, 12, func(b *testing.B, v *Variant, n int) {
		x, y, dst := filled(n, 1), filled(n, 0.5), make([]float32, n)
		for b.Loop() {
			v.Mul(dst, x, y)
		}
	})
}

func BenchmarkReLU(b *testing.B) {
	benchVariants(b, 8, func(b *testing.B, v *Variant, n int) {
		x, dst := filled(n, -0.02), make([]float32, n)
		for b.Loop() {
			v.ReLU(dst, x)
		}
	})
}

func BenchmarkReLUBackward(b *testing.B) {
	benchVariants(b, 12, func(b *testing.B, v *Variant, n int) {
		x, dy, dx := filled(n, -0.02), filled(n, 1), make([]float32, n)
		for b.Loop() {
			v.ReLUBackward(dx, dy, x)
		}
	})
}

func BenchmarkAdam(b *testing.B) {
	s := NewAdamStep(1e-3, 0.9, 0.999, 1e-8, 10)
	benchVariants(b, 28, func(b *testing.B, v *Variant, n int) {
		p, g, m, vel := filled(n, 1), filled(n, 0.1), filled(n, 0), filled(n, 0.01)
		for b.Loop() {
			v.Adam(p, g, m, vel, s)
		}
	})
}
