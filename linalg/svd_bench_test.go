package linalg

import (
	"fmt"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func BenchmarkSVD(b *testing.B) {
	for _, sh := range [][2]int{{64, 32}, {128, 32}, {128, 64}, {256, 128}} {
		m, n := sh[0], sh[1]
		rng := rand.New(rand.NewSource(1))
		a := svdRandMat(rng, m, n)
		a64 := make([]float64, m*n)
		for i, x := range a {
			a64[i] = float64(x)
		}
		b.Run(fmt.Sprintf("m=%d,n=%d/impl=rankae", m, n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := SVDJacobi(m, n, a, n); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("m=%d,n=%d/impl=gonum", m, n), func(b *testing.B) {
			d := mat.NewDense(m, n, a64)
			var s mat.SVD
			for i := 0; i < b.N; i++ {
				if !s.Factorize(d, mat.SVDThin) {
					b.Fatal("gonum SVD failed")
				}
			}
		})
	}
}
