package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestBlas32 installs Blas32 as gonum's float32 implementation and checks
// blas32.Gemm against gonum's own native Sgemm for every transpose pair.
func TestBlas32(t *testing.T) {
	blas32.Use(Blas32{})
	defer blas32.Use(gonum.Implementation{})
	r := rand.New(rand.NewPCG(13, 14))
	general := func(rows, cols int) blas32.General {
		g := blas32.General{Rows: rows, Cols: cols, Stride: cols + 2, Data: make([]float32, rows*(cols+2))}
		for i := range g.Data {
			g.Data[i] = 2*r.Float32() - 1
		}
		return g
	}
	const m, n, k = 45, 67, 89
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			a, b := general(m, k), general(k, n)
			if tA == blas.Trans {
				a = general(k, m)
			}
			if tB == blas.Trans {
				b = general(n, k)
			}
			c := general(m, n)
			want := blas32.General{Rows: m, Cols: n, Stride: c.Stride, Data: append([]float32(nil), c.Data...)}
			blas32.Gemm(tA, tB, 0.5, a, b, 2, c)
			gonum.Implementation{}.Sgemm(tA, tB, m, n, k, 0.5, a.Data, a.Stride, b.Data, b.Stride, 2, want.Data, want.Stride)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					got, exp := c.Data[i*c.Stride+j], want.Data[i*c.Stride+j]
					if math.Abs(float64(got-exp)) > 1e-4 {
						t.Fatalf("tA=%v tB=%v: C[%d,%d] = %v, gonum %v", tA, tB, i, j, got, exp)
					}
				}
			}
		}
	}
}
