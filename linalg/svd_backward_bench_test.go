package linalg

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// BenchmarkSVDBackward times the stable SVD backward on one thread at the
// RRAE latent shapes (L×B): m=..,n=..,k=.. is ReconstructBackwardWork (the
// training path, VJP of Y_k), m=..,n=..,full is BackwardWork with all of
// gU, gS, gV, and m=..,n=..,forward is SVD.Factorize (reusing its
// workspace, as training does) on the same matrix for comparison.
// m=..,n=..,k=..,paired alternates one forward and one backward per
// iteration and reports both times and their ratio (bwd/fwd) from the same
// run.
func BenchmarkSVDBackward(b *testing.B) {
	defer SetThreads(SetThreads(1))
	type shape struct{ m, n int }
	ks := map[shape][]int{
		{64, 32}:   {8, 16},
		{64, 64}:   {8, 32},
		{128, 32}:  {8, 16},
		{128, 64}:  {8, 16, 32, 64},
		{64, 128}:  {8, 32},
		{128, 128}: {8, 32},
	}
	for _, sh := range []shape{{64, 32}, {64, 64}, {128, 32}, {128, 64}, {64, 128}, {128, 128}} {
		m, n := sh.m, sh.n
		rng := rand.New(rand.NewSource(1))
		a := svdRandMat(rng, m, n)
		s, err := SVDJacobi(m, n, a, n)
		if err != nil {
			b.Fatal(err)
		}
		g := svdRandMat(rng, m, n)
		gA := make([]float32, m*n)
		work := make([]float32, SVDBackwardWorkLen(m, n))
		b.Run(fmt.Sprintf("m=%d,n=%d,forward", m, n), func(b *testing.B) {
			var f SVD
			for i := 0; i < b.N; i++ {
				if err := f.Factorize(m, n, a, n); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, k := range ks[sh] {
			b.Run(fmt.Sprintf("m=%d,n=%d,k=%d", m, n, k), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					s.ReconstructBackwardWork(k, g, n, gA, n, work)
				}
			})
		}
		r := s.R
		gU, gS, gV := svdRandMat(rng, m, r), svdRandMat(rng, 1, r), svdRandMat(rng, n, r)
		b.Run(fmt.Sprintf("m=%d,n=%d,full", m, n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				s.BackwardWork(gU, gS, gV, gA, n, work)
			}
		})
		if m == 128 && n == 64 {
			b.Run(fmt.Sprintf("m=%d,n=%d,k=16,paired", m, n), func(b *testing.B) {
				var fwd, bwd time.Duration
				var f SVD
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					err := f.Factorize(m, n, a, n)
					t1 := time.Now()
					if err != nil {
						b.Fatal(err)
					}
					f.ReconstructBackwardWork(16, g, n, gA, n, work)
					bwd += time.Since(t1)
					fwd += t1.Sub(t0)
				}
				b.ReportMetric(float64(fwd.Nanoseconds())/float64(b.N), "fwd-ns/op")
				b.ReportMetric(float64(bwd.Nanoseconds())/float64(b.N), "bwd-ns/op")
				b.ReportMetric(float64(bwd)/float64(fwd), "bwd/fwd")
			})
		}
	}
}
