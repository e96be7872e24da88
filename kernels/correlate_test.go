package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestCorrelateTaps checks both tap kernels of every variant against float64
// sums, at row lengths that exercise every block size and the masked tails,
// tap counts around the gradient's groups of four, one and several rows with
// gaps between them, and guard bands around the outputs: the gaps and the
// guards must come back untouched.
func TestCorrelateTaps(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, v := range Variants() {
		for _, n := range []int{1, 7, 16, 17, 31, 48, 64, 100, 127, 128, 129, 200, 240, 255} {
			for _, taps := range []int{1, 3, 4, 5, 9, 25} {
				for _, rows := range []int{1, 3} {
					name := fmt.Sprintf("%s n=%d taps=%d rows=%d", v, n, taps, rows)
					ldy, ldx := n+5, n+11
					offs := make([]int, taps)
					last := 0
					for k := range offs {
						offs[k] = r.IntN(3 * ldx)
						last = max(last, offs[k])
					}
					x, _ := randomSlice(r, (rows-1)*ldx+last+n, 0)
					w, _ := randomSlice(r, taps, 0)
					ylen := (rows-1)*ldy + n
					y, ybuf := randomSlice(r, ylen, 1)
					y0 := append([]float32(nil), y...)
					v.CorrelateTaps(y, ldy, x, ldx, w, offs, rows, n)
					checkGuards(t, name+" CorrelateTaps", ybuf, ylen, 1)
					for i := range y {
						row, col := i/ldy, i%ldy
						if col >= n {
							if y[i] != y0[i] {
								t.Fatalf("%s: CorrelateTaps wrote y[%d] between rows", name, i)
							}
							continue
						}
						want, mag := sum64(y0[i], taps, func(k int) float64 {
							return float64(w[k]) * float64(x[row*ldx+offs[k]+col])
						})
						if d := math.Abs(float64(y[i]) - want); d > float64(taps+1)*eps32*mag {
							t.Fatalf("%s: CorrelateTaps y[%d] = %v, want %v", name, i, y[i], want)
						}
					}
					g, gbuf := randomSlice(r, taps, 2)
					g0 := append([]float32(nil), g...)
					v.CorrelateTapsGrad(g, y0, ldy, x, ldx, offs, rows, n)
					checkGuards(t, name+" CorrelateTapsGrad", gbuf, taps, 2)
					for k := range g {
						want, mag := sum64(g0[k], rows*n, func(i int) float64 {
							row, col := i/n, i%n
							return float64(y0[row*ldy+col]) * float64(x[row*ldx+offs[k]+col])
						})
						if d := math.Abs(float64(g[k]) - want); d > float64(rows*n+1)*eps32*mag {
							t.Fatalf("%s: CorrelateTapsGrad g[%d] = %v, want %v", name, k, g[k], want)
						}
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

// TestCorrelateTapsPanics checks that the tap kernels refuse arguments that
// would reach outside their slices.
func TestCorrelateTapsPanics(t *testing.T) {
	y, x, w := make([]float32, 10), make([]float32, 20), make([]float32, 2)
	for name, call := range map[string]func(){
		"short x":         func() { CorrelateTaps(y, 10, x, 10, w, []int{0, 11}, 1, 10) },
		"short x, rows":   func() { CorrelateTaps(y, 0, x, 10, w, []int{0, 1}, 2, 10) },
		"short y":         func() { CorrelateTaps(y, 10, x, 5, w, []int{0, 1}, 2, 5) },
		"negative offset": func() { CorrelateTaps(y, 10, x, 10, w, []int{0, -1}, 1, 5) },
		"offsets":         func() { CorrelateTaps(y, 10, x, 10, w, []int{0}, 1, 5) },
		"grad short x":    func() { CorrelateTapsGrad(w, y, 10, x, 10, []int{0, 11}, 1, 10) },
		"grad offsets":    func() { CorrelateTapsGrad(w, y, 10, x, 10, []int{0, 1, 2}, 1, 5) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: accepted", name)
				}
			}()
			call()
		}()
	}
}
