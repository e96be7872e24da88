package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestHouseholderApply checks every variant against the reflection computed
// in float64, on column lengths that exercise the vector loops and tails,
// with gaps between the columns that must stay untouched, and a column the
// reflector leaves alone (d = 0) that must keep its bits.
func TestHouseholderApply(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, v := range Variants() {
		for _, m := range []int{0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 64, 70} {
			for _, ncols := range []int{0, 1, 3} {
				ldc := 1 + m + 3
				tail := make([]float32, m)
				for i := range tail {
					tail[i] = float32(2*r.Float64() - 1)
				}
				tau := float32(1 + r.Float64())
				c := make([]float32, max(ncols*ldc, 1))
				for i := range c {
					c[i] = float32(2*r.Float64() - 1)
				}
				orig := append([]float32(nil), c...)
				v.HouseholderApply(tail, tau, c, ldc, ncols)
				for k := 0; k < ncols; k++ {
					col, was := c[k*ldc:][:ldc], orig[k*ldc:][:ldc]
					dot, mag := float64(was[0]), math.Abs(float64(was[0]))
					for i, x := range tail {
						dot += float64(x) * float64(was[1+i])
						mag += math.Abs(float64(x) * float64(was[1+i]))
					}
					d := float64(tau) * dot
					tol := float64(m+4) * eps32 * (float64(tau)*mag + 1)
					for i := 0; i < ldc; i++ {
						want := float64(was[i])
						switch {
						case i == 0:
							want -= d
						case i <= m:
							want -= d * float64(tail[i-1])
						}
						if math.Abs(float64(col[i])-want) > tol {
							t.Fatalf("%s m=%d ncols=%d: column %d [%d] = %v, want %v ± %v", v, m, ncols, k, i, col[i], want, tol)
						}
						if i > m && col[i] != was[i] {
							t.Fatalf("%s m=%d: wrote into the gap after column %d", v, m, k)
						}
					}
				}
			}
		}
		// A zero column gives d = 0: nothing may change, −0 included.
		tail := []float32{1, 2, 3}
		c := []float32{0, float32(math.Copysign(0, -1)), 0, 0}
		v.HouseholderApply(tail, 1.5, c, 4, 1)
		if math.Signbit(float64(c[1])) != true || c[0] != 0 || c[2] != 0 || c[3] != 0 {
			t.Errorf("%s: zero column changed to %v", v, c)
		}
	}
}

func TestHouseholderApplyBadShapePanics(t *testing.T) {
	for name, call := range map[string]func(){
		"stride": func() { HouseholderApply(make([]float32, 3), 1, make([]float32, 20), 3, 2) },
		"short":  func() { HouseholderApply(make([]float32, 3), 1, make([]float32, 7), 4, 2) },
		"ncols":  func() { HouseholderApply(make([]float32, 3), 1, make([]float32, 8), 4, -1) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || fmt.Sprint(r)[:27] != "kernels: HouseholderApply: " {
					t.Errorf("%s: recovered %v, want a HouseholderApply panic", name, r)
				}
			}()
			call()
		}()
	}
}
