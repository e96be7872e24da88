package linalg

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/rankae/rankae/kernels"
	"gonum.org/v1/gonum/mat"
)

// symTestMatrices returns symmetric n×n test matrices (full storage) by name:
// random, zero, exactly rank one with integer entries (an exactly
// rank-deficient Gram matrix leaves rounding residue in the reduction), graded
// (D·C·D, D from 1 to 1e-12) and with repeated eigenvalues.
func symTestMatrices(rng *rand.Rand, n int) map[string][]float64 {
	sym := func(f func(i, j int) float64) []float64 {
		g := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				g[i*n+j] = f(i, j)
				g[j*n+i] = g[i*n+j]
			}
		}
		return g
	}
	r := sym(func(i, j int) float64 { return rng.NormFloat64() })
	u := make([]float64, n)
	for i := range u {
		u[i] = float64(rng.Intn(7) - 3)
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = math.Pow(10, -12*float64(i)/float64(max(n-1, 1)))
	}
	c := sym(func(i, j int) float64 {
		if i == j {
			return 4
		}
		return rng.Float64() - 0.5
	})
	q := svdOrthoMat(rng, n, n)
	return map[string][]float64{
		"random":   r,
		"zero":     make([]float64, n*n),
		"rank one": sym(func(i, j int) float64 { return u[i] * u[j] }),
		"graded":   sym(func(i, j int) float64 { return d[i] * c[i*n+j] * d[j] }),
		"repeated": sym(func(i, j int) float64 {
			var s float64
			for k := 0; k < n; k++ {
				s += q.At(i, k) * float64(2-k%2) * q.At(j, k)
			}
			return s
		}),
	}
}

func TestSymEigen(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, n := range []int{1, 2, 3, 5, 17, 32, 33, 64, 100, 129} {
		for name, g := range symTestMatrices(rng, n) {
			for _, v := range kernels.Variants() {
				label := fmt.Sprintf("n=%d %s %s", n, name, v)
				work := append([]float64(nil), g...)
				z, lam := make([]float64, n*n), make([]float64, n)
				var w symEigenWork
				if !symEigen(v, work, n, z, lam, &w) {
					t.Fatalf("%s: QL did not converge", label)
				}
				var gnorm float64
				for _, e := range g {
					gnorm += e * e
				}
				gnorm = math.Sqrt(gnorm)
				var ortho, resid float64
				for j := 0; j < n; j++ {
					if j > 0 && lam[j] > lam[j-1] {
						t.Fatalf("%s: eigenvalues not descending: %v", label, lam)
					}
					zj := z[j*n : (j+1)*n]
					for i := 0; i < n; i++ {
						d := kernels.Dot64(z[i*n:(i+1)*n], zj)
						if i == j {
							d--
						}
						ortho += d * d
						r := kernels.Dot64(g[i*n:(i+1)*n], zj) - lam[j]*zj[i]
						resid += r * r
					}
				}
				if ortho = math.Sqrt(ortho); ortho > 1e-13 {
					t.Errorf("%s: ‖ZᵀZ − I‖ = %.3g", label, ortho)
				}
				if resid = math.Sqrt(resid); resid > 1e-13*max(gnorm, 1e-300) && resid > 0 {
					t.Errorf("%s: ‖GZ − ZΛ‖ = %.3g, ‖G‖ = %.3g", label, resid, gnorm)
				}
				var ref mat.EigenSym
				if !ref.Factorize(mat.NewSymDense(n, append([]float64(nil), g...)), false) {
					t.Fatal("gonum EigenSym failed")
				}
				vals := ref.Values(nil) // ascending
				for j := range lam {
					if d := math.Abs(lam[j] - vals[n-1-j]); d > 1e-13*gnorm {
						t.Errorf("%s: λ[%d] = %v, gonum %v", label, j, lam[j], vals[n-1-j])
					}
				}
			}
		}
	}
}

// TestSVDEigenPath checks which way the preconditioned SVD goes: on a random
// matrix the columns of X·Z come out orthogonal and no sweep runs; on a matrix
// with singular values down to 1e-6·σ₁ spread by random rotations (not
// graded), the eigenvectors of the small eigenvalues are only good to
// ε₆₄·κ², and the sweeps that follow must finish the work. Both results pass
// svdCheck.
func TestSVDEigenPath(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	m, n := 64, 32
	sig := make([]float64, n)
	for k := range sig {
		sig[k] = math.Pow(10, -6*float64(k)/float64(n-1))
	}
	for _, c := range []struct {
		name   string
		a      []float32
		sweeps bool
	}{
		{"random", svdRandMat(rng, m, n), false},
		{"κ = 1e6", svdFromFactors(svdOrthoMat(rng, m, n), sig, svdOrthoMat(rng, n, n)), true},
	} {
		for _, v := range kernels.Variants() {
			s := svdCheckWith(t, c.name+" "+v.String(), v, 1, eigenPlan, m, n, c.a, 1e-5, true)
			if swept := s.work.stamp.nc > 0; swept != c.sweeps {
				t.Errorf("%s %s: sweeps ran = %v, want %v", c.name, v, swept, c.sweeps)
			}
		}
	}
}

// TestTridiagonalDC checks divide and conquer on random tridiagonal matrices
// of orders that split evenly and unevenly into one, two and three levels of
// merges: ascending eigenvalues, orthonormal eigenvectors and the residual
// ‖T·y − λ·y‖, each to a small multiple of ε₆₄·‖T‖.
func TestTridiagonalDC(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	for _, n := range []int{33, 64, 65, 66, 100, 129, 200} {
		for _, v := range kernels.Variants() {
			d, e := make([]float64, n), make([]float64, n)
			for i := range d {
				d[i], e[i] = rng.NormFloat64(), rng.NormFloat64()
			}
			e[n-1] = 0
			d0, e0 := append([]float64(nil), d...), append([]float64(nil), e...)
			ldq := n + 3
			q := make([]float64, (n-1)*ldq+n)
			var w dcWork
			if !tridiagonalDC(v, d, e, n, q, ldq, &w) {
				t.Fatalf("n=%d %s: a QL leaf did not converge", n, v)
			}
			var res, orth float64
			for j := 0; j < n; j++ {
				if j > 0 && d[j] < d[j-1] {
					t.Fatalf("n=%d %s: eigenvalues not ascending at %d", n, v, j)
				}
				qj := q[j*ldq : j*ldq+n]
				for i := 0; i < n; i++ {
					tq := d0[i] * qj[i]
					if i > 0 {
						tq += e0[i-1] * qj[i-1]
					}
					if i < n-1 {
						tq += e0[i] * qj[i+1]
					}
					res = math.Max(res, math.Abs(tq-d[j]*qj[i]))
					o := kernels.Dot64(q[i*ldq:i*ldq+n], qj)
					if i == j {
						o--
					}
					orth = math.Max(orth, math.Abs(o))
				}
			}
			if res > 1e-13 || orth > 1e-13 {
				t.Errorf("n=%d %s: max |Ty − λy| = %.3g, max |YᵀY − I| = %.3g", n, v, res, orth)
			}
		}
	}
}
