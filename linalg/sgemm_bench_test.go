package linalg

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/rankae/rankae/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkSgemm reports GFLOP/s for square sizes and for the GEMM shapes of the
// papers' convolutions at batch 32, on one thread, per kernel level. Compare with
// kernels' BenchmarkFMAPeak in the same sitting for the share of peak.
func BenchmarkSgemm(b *testing.B) {
	type mnk struct{ m, n, k int }
	var shapes []mnk
	for _, s := range []int{64, 128, 256, 512, 1000, 1024} {
		shapes = append(shapes, mnk{s, s, s})
	}
	shapes = append(shapes,
		// IRMAE MNIST conv 4×4 stride 2, batch 32: weights × im2col columns.
		mnk{64, 32 * 16 * 16, 1 * 16}, mnk{128, 32 * 8 * 8, 64 * 16}, mnk{256, 32 * 4 * 4, 128 * 16},
		// RRAE conv 3×3 stride 2 on 64×64 bumps, batch 32.
		mnk{32, 32 * 32 * 32, 1 * 9}, mnk{64, 32 * 16 * 16, 32 * 9},
		// Linear layers at batch 32 (2048 → 64 and 1024 → 128): the forward and
		// backward-data products are skinny (n = 32), the weight gradient has k = 32.
		mnk{64, 32, 2048}, mnk{128, 32, 1024}, mnk{64, 2048, 32},
		// Row counts that leave a partial row of tiles at the AVX2 kernel's MR = 6
		// (m = 64 is ten tiles and 4 rows, m = 32 five and 2): the partial-row kernel.
		mnk{64, 1024, 512}, mnk{32, 4096, 256}, mnk{128, 1024, 256},
	)
	defer SetThreads(SetThreads(1))
	for _, s := range shapes {
		b.Run(fmt.Sprintf("m=%d,n=%d,k=%d", s.m, s.n, s.k), func(b *testing.B) {
			for _, v := range kernels.Variants() {
				if v.Level() == kernels.Generic && s.m*s.n*s.k > 256*256*256 {
					continue // minutes per run, and says nothing new
				}
				b.Run("level="+v.String(), func(b *testing.B) {
					benchGemm(b, s.m, s.n, s.k, func(x, y, z []float32) {
						sgemm(v, false, false, s.m, s.n, s.k, 1, x, s.k, y, s.n, 0, z, s.n)
					})
				})
			}
			if s.m*s.n*s.k <= 512*512*512 {
				// gonum's native blas32, the baseline a Go user has without rankae.
				b.Run("level=gonum", func(b *testing.B) {
					benchGemm(b, s.m, s.n, s.k, func(x, y, z []float32) {
						gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, s.m, s.n, s.k, 1, x, s.k, y, s.n, 0, z, s.n)
					})
				})
			}
		})
	}
}

// BenchmarkSgemmThreads compares one thread with all of GOMAXPROCS on large squares.
func BenchmarkSgemmThreads(b *testing.B) {
	for _, size := range []int{512, 1024, 2048} {
		for _, threads := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("m=%d,n=%d,k=%d/threads=%d", size, size, size, threads), func(b *testing.B) {
				defer SetThreads(SetThreads(threads))
				benchGemm(b, size, size, size, func(x, y, z []float32) {
					Sgemm(false, false, size, size, size, 1, x, size, y, size, 0, z, size)
				})
			})
		}
	}
}

func benchGemm(b *testing.B, m, n, k int, gemm func(x, y, z []float32)) {
	x, y, z := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range x {
		x[i] = float32(i%13) * 0.1
	}
	for i := range y {
		y[i] = float32(i%7) * 0.1
	}
	for b.Loop() {
		gemm(x, y, z)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemmConvT runs the three products of the RRAE-MNIST decoder's
// second transposed convolution (256 → 128 channels, 4×4 → 8×8) at batch 32
// as ConvTranspose2D calls them: the forward Wᵀ·X (A transposed), the weight
// gradient X·colᵀ (B transposed) and the input gradient W·col.
func BenchmarkSgemmConvT(b *testing.B) {
	const in, rows, n = 256, 128 * 9, 32 * 4 * 4
	defer SetThreads(SetThreads(1))
	for _, c := range []struct {
		name     string
		ta, tb   bool
		m, nn, k int
		lda, ldb int
	}{
		{"forward,ta", true, false, rows, n, in, rows, n},
		{"weight-grad,tb", false, true, in, rows, n, n, n},
		{"input-grad", false, false, in, n, rows, rows, n},
	} {
		b.Run(fmt.Sprintf("%s,m=%d,n=%d,k=%d", c.name, c.m, c.nn, c.k), func(b *testing.B) {
			benchGemm(b, c.m, c.nn, c.k, func(x, y, z []float32) {
				Sgemm(c.ta, c.tb, c.m, c.nn, c.k, 1, x, c.lda, y, c.ldb, 0, z, c.nn)
			})
		})
	}
}
