package linalg

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"

	"github.com/rankae/rankae/kernels"
	"gonum.org/v1/gonum/mat"
)

// svdBenchShapes are the latent shapes L×B of the targets (bench/README.md, SVD).
var svdBenchShapes = [][2]int{{64, 32}, {128, 32}, {128, 64}, {256, 128}, {512, 256}, {1024, 512}, {4096, 1024}}

// BenchmarkSVD times SVD.Factorize on one goroutine for every kernel level
// (level=…), and gonum's float64 thin SVD as the baseline (impl=gonum). gonum
// is skipped above 1024×512, where one run takes minutes. Besides ns/op it
// reports cpu-ns/op, the thread's CPU time, which a shared machine disturbs
// far less.
func BenchmarkSVD(b *testing.B) {
	for _, sh := range svdBenchShapes {
		m, n := sh[0], sh[1]
		rng := rand.New(rand.NewSource(1))
		a := svdRandMat(rng, m, n)
		b.Run(fmt.Sprintf("m=%d,n=%d", m, n), func(b *testing.B) {
			for _, v := range kernels.Variants() {
				if v.Level() == kernels.Generic && m*n > 128*64 {
					continue // minutes per run, and no figure to compare
				}
				b.Run("level="+v.String(), func(b *testing.B) {
					var s SVD
					loopCPU(b, func() {
						if err := s.factorize(v, m, n, a, n, svdMaxSweeps32, 1); err != nil {
							b.Fatal(err)
						}
					})
				})
			}
			if m*n > 1024*512 {
				return
			}
			b.Run("impl=gonum", func(b *testing.B) {
				a64 := make([]float64, m*n)
				for i, x := range a {
					a64[i] = float64(x)
				}
				d := mat.NewDense(m, n, a64)
				var s mat.SVD
				loopCPU(b, func() {
					if !s.Factorize(d, mat.SVDThin) {
						b.Fatal("gonum SVD failed")
					}
				})
			})
		})
	}
}

// BenchmarkSVDThreads times the active level with 1, 2, … goroutines, for
// choosing svdParallelMinN.
func BenchmarkSVDThreads(b *testing.B) {
	for _, sh := range [][2]int{{128, 64}, {256, 128}, {512, 256}, {1024, 512}} {
		m, n := sh[0], sh[1]
		rng := rand.New(rand.NewSource(1))
		a := svdRandMat(rng, m, n)
		for _, threads := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("m=%d,n=%d/threads=%d", m, n, threads), func(b *testing.B) {
				var s SVD
				for b.Loop() {
					if err := s.factorizeWith(kernels.Active(), m, n, a, n, svdMaxSweeps32, threads, 1); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// loopCPU runs f b.N times on one locked thread and reports its CPU time per
// run as cpu-ns/op beside the wall-clock ns/op.
func loopCPU(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	n := 0
	start := threadCPU()
	for b.Loop() {
		f()
		n++
	}
	if end := threadCPU(); n > 0 && end > 0 {
		b.ReportMetric(float64(end-start)/float64(n), "cpu-ns/op")
	}
}
