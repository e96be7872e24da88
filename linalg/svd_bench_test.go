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
					if err := s.factorizeWith(kernels.Active(), m, n, a, n, svdMaxSweeps32, threads, svdPlan{roundRobinMaxN: svdRoundRobinMaxN, parallelMinN: 1}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// loopCPU runs f b.N times on one locked thread and reports its CPU time per
// run as cpu-ns/op beside the wall-clock ns/op. One untimed run first sizes
// f's workspace, so that the few iterations of a large shape time the steady
// state (a training loop's), not the first call's allocation.
func loopCPU(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f()
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

// BenchmarkSVDPairCost measures what a Jacobi pair costs on the pair kernels of
// the active level at the benchmark shapes when nothing waits: the kernels run
// on the disjoint pairs of one round-robin step (dots: kernels.JacobiDots;
// angle: kernels.JacobiRotation; rotate: JacobiRotate on the float32 columns and
// JacobiRotate64 on the float64 rotations), as ns/pair; and how many pairs
// SVD.Factorize looks at on BenchmarkSVD's matrix (pairs/op) and rotates
// (rotations/op). pairs × dots + rotations × (angle + rotate) bounds the sweeps'
// time from below for any ordering built on these kernels (bench/README.md, SVD).
func BenchmarkSVDPairCost(b *testing.B) {
	v := kernels.Active()
	for _, sh := range svdBenchShapes[:4] {
		m, n := sh[0], sh[1]
		rows := n // the sweeps run on Rᵀ (n×n): every shape here has m ≥ 2n
		rng := rand.New(rand.NewSource(1))
		cols := svdRandMat(rng, n, rows)
		w := make([]float64, n*n)
		dots := make([]float64, 3*n)
		perPair := func(b *testing.B) { b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(n/2)), "ns/pair") }
		col := func(j int) []float32 { return cols[j*rows : (j+1)*rows] }
		name := fmt.Sprintf("m=%d,n=%d/", m, n)
		b.Run(name+"dots", func(b *testing.B) {
			for b.Loop() {
				for i := 0; i < n/2; i++ {
					dots[3*i], dots[3*i+1], dots[3*i+2] = v.JacobiDots(col(i), col(n-1-i))
				}
			}
			perPair(b)
		})
		b.Run(name+"angle", func(b *testing.B) {
			for i := range dots {
				dots[i] = 1 + rng.Float64()
			}
			for b.Loop() {
				for i := 0; i < n/2; i++ {
					cs, sn, _, _ := kernels.JacobiRotation(dots[3*i], dots[3*i+1], dots[3*i+2]-1, 1e-7, negligibleSq32)
					dots[3*i+2] = 1 + cs*sn
				}
			}
			perPair(b)
		})
		b.Run(name+"rotate", func(b *testing.B) {
			for b.Loop() {
				for i := 0; i < n/2; i++ {
					p, q := i, n-1-i
					v.JacobiRotate(col(p), col(q), 0.8, 0.6)
					v.JacobiRotate64(w[p*n:(p+1)*n], w[q*n:(q+1)*n], 0.8, 0.6)
				}
			}
			perPair(b)
		})
		b.Run(name+"pairs", func(b *testing.B) {
			a := svdRandMat(rand.New(rand.NewSource(1)), m, n) // BenchmarkSVD's matrix
			var s SVD
			for b.Loop() {
				if err := s.factorize(v, m, n, a, n, svdMaxSweeps32, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s.work.stamp.clock), "pairs/op")
			b.ReportMetric(float64(s.work.stamp.turns), "rotations/op")
		})
	}
}

// BenchmarkSVDOrder times the plans on one goroutine with the active kernels:
// the sweeps alone in either order, and the eigenvector preconditioner, for
// choosing svdRoundRobinMaxN and svdEigenMaxN.
func BenchmarkSVDOrder(b *testing.B) {
	for _, sh := range svdBenchShapes {
		m, n := sh[0], sh[1]
		a := svdRandMat(rand.New(rand.NewSource(1)), m, n)
		for _, o := range []struct {
			name  string
			order svdPlan
		}{{"de-rijk", deRijkOrder}, {"round-robin", roundRobinOrder}, {"eigen", eigenPlan}} {
			b.Run(fmt.Sprintf("m=%d,n=%d/order=%s", m, n, o.name), func(b *testing.B) {
				var s SVD
				loopCPU(b, func() {
					if err := s.factorizeWith(kernels.Active(), m, n, a, n, svdMaxSweeps32, 1, o.order); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}
