package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestCorrelateRow checks both row kernels of every variant against float64
// sums, at lengths that exercise the vector loops and the masked tails, with
// guard bands around the outputs.
func TestCorrelateRow(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, v := range Variants() {
		for _, n := range []int{1, 2, 7, 15, 16, 17, 28, 31, 32, 33, 47, 64, 100} {
			for _, taps := range []int{1, 2, 3, 5, 9} {
				name := fmt.Sprintf("%s n=%d taps=%d", v, n, taps)
				x, _ := randomSlice(r, n+taps-1, 0)
				w, _ := randomSlice(r, taps, 0)
				y, ybuf := randomSlice(r, n, 1)
				y0 := append([]float32(nil), y...)
				v.CorrelateRow(y, x, w)
				checkGuards(t, name+" CorrelateRow", ybuf, n, 1)
				for i := range y {
					want, mag := sum64(y0[i], taps, func(j int) float64 { return float64(w[j]) * float64(x[i+j]) })
					if d := math.Abs(float64(y[i]) - want); d > float64(taps+1)*eps32*mag {
						t.Fatalf("%s: CorrelateRow y[%d] = %v, want %v", name, i, y[i], want)
					}
				}
				g, gbuf := randomSlice(r, taps, 2)
				g0 := append([]float32(nil), g...)
				v.CorrelateRowGrad(g, y0, x)
				checkGuards(t, name+" CorrelateRowGrad", gbuf, taps, 2)
				for j := range g {
					want, mag := sum64(g0[j], n, func(i int) float64 { return float64(y0[i]) * float64(x[i+j]) })
					if d := math.Abs(float64(g[j]) - want); d > float64(n+1)*eps32*mag {
						t.Fatalf("%s: CorrelateRowGrad g[%d] = %v, want %v", name, j, g[j], want)
					}
				}
			}
		}
	}
}

// sum64 returns init + Σ term(k) for k < n in float64, and the sum of the
// magnitudes, which scales the rounding error allowed.
func sum64(init float32, n int, term func(k int) float64) (sum, mag float64) {
	sum, mag = float64(init), math.Abs(float64(init))
	for k := 0; k < n; k++ {
		p := term(k)
		sum, mag = sum+p, mag+math.Abs(p)
	}
	return sum, mag
}

func TestCorrelateRowShortXPanics(t *testing.T) {
	for name, call := range map[string]func(){
		"CorrelateRow":     func() { CorrelateRow(make([]float32, 4), make([]float32, 5), make([]float32, 3)) },
		"CorrelateRowGrad": func() { CorrelateRowGrad(make([]float32, 3), make([]float32, 4), make([]float32, 5)) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: short x accepted", name)
				}
			}()
			call()
		}()
	}
}
