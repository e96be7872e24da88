package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

const eps64 = 1.0 / (1 << 52)

// checkDot64 checks a float64-accumulated reduction of exact products: the
// bound is the summation's, n·ε₆₄·Σ|terms|.
func checkDot64(t *testing.T, name string, got float64, terms []float64) {
	t.Helper()
	var exact, abs float64
	for _, x := range terms {
		exact += x
		abs += math.Abs(x)
	}
	tol := float64(len(terms)+1) * eps64 * abs
	if math.IsNaN(got) || math.Abs(got-exact) > tol {
		t.Fatalf("%s: got %v, want %v ± %v", name, got, exact, tol)
	}
}

func TestJacobiDots(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := randomSlice(r, n, off)
		y, _ := randomSlice(r, n, (off+1)%4)
		xx, yy, xy := v.JacobiDots(x, y)
		tx, ty, txy := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range x {
			a, b := float64(x[i]), float64(y[i])
			tx[i], ty[i], txy[i] = a*a, b*b, a*b
		}
		name := fmt.Sprintf("JacobiDots n=%d off=%d", n, off)
		checkDot64(t, name+" xx", xx, tx)
		checkDot64(t, name+" yy", yy, ty)
		checkDot64(t, name+" xy", xy, txy)
	})
}

// TestJacobiDotsPrecision uses values whose float32 sum of squares loses the
// small terms: only a float64 accumulation gets them.
func TestJacobiDotsPrecision(t *testing.T) {
	for _, v := range Variants() {
		for _, n := range []int{1, 7, 8, 31, 64, 257} {
			x := make([]float32, n)
			y := make([]float32, n)
			x[0], y[0] = 4096, 1
			for i := 1; i < n; i++ {
				x[i], y[i] = 1+0x1p-12, -1
			}
			xx, yy, xy := v.JacobiDots(x, y)
			small := float64(1+0x1p-12) * float64(1+0x1p-12)
			if wantXX := 4096.0*4096 + float64(n-1)*small; xx != wantXX {
				t.Errorf("%s n=%d: xx = %v, want %v", v, n, xx, wantXX)
			}
			if yy != float64(n) {
				t.Errorf("%s n=%d: yy = %v, want %v", v, n, yy, n)
			}
			if wantXY := 4096 - float64(n-1)*(1+0x1p-12); xy != wantXY {
				t.Errorf("%s n=%d: xy = %v, want %v", v, n, xy, wantXY)
			}
		}
	}
}

func TestJacobiRotate(t *testing.T) {
	const c, s = 0.8, -0.6
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, xbuf := randomSlice(r, n, off)
		y, ybuf := randomSlice(r, n, (off+2)%4)
		x0, y0 := append([]float32(nil), x...), append([]float32(nil), y...)
		v.JacobiRotate(x, y, c, s)
		checkGuards(t, "JacobiRotate x", xbuf, n, off)
		checkGuards(t, "JacobiRotate y", ybuf, n, (off+2)%4)
		for i := range x {
			// One rounding with FMA and two without, on terms of size ≤ 1.
			a, b := float64(x0[i]), float64(y0[i])
			wx, wy := c32*a-s32*b, s32*a+c32*b
			if math.Abs(float64(x[i])-wx) > 3*eps32 || math.Abs(float64(y[i])-wy) > 3*eps32 {
				t.Fatalf("JacobiRotate n=%d off=%d: [%d] = (%v, %v), want (%v, %v)", n, off, i, x[i], y[i], wx, wy)
			}
		}
	})
}

// c32 and s32 are the rotation of TestJacobiRotate as the kernel sees them.
var c32, s32 = float64(float32(0.8)), float64(float32(-0.6))

// guarded64 is guarded for float64: a slice of n starting off into a buffer
// framed by NaN guard bands.
func guarded64(n, off int) (s, buf []float64) {
	buf = make([]float64, guard+off+n+guard)
	for i := range buf {
		buf[i] = math.NaN()
	}
	return buf[guard+off : guard+off+n : guard+off+n], buf
}

func checkGuards64(t *testing.T, name string, buf []float64, n, off int) {
	t.Helper()
	for i, v := range buf {
		if (i < guard+off || i >= guard+off+n) && !math.IsNaN(v) {
			t.Fatalf("%s: wrote out of bounds at %d (slice is [0, %d))", name, i-guard-off, n)
		}
	}
}

func TestJacobiRotate64(t *testing.T) {
	const c, s = 0.8, -0.6
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, xbuf := guarded64(n, off)
		y, ybuf := guarded64(n, (off+2)%4)
		for i := range x {
			x[i], y[i] = 2*r.Float64()-1, 2*r.Float64()-1
		}
		x0, y0 := append([]float64(nil), x...), append([]float64(nil), y...)
		v.JacobiRotate64(x, y, c, s)
		checkGuards64(t, "JacobiRotate64 x", xbuf, n, off)
		checkGuards64(t, "JacobiRotate64 y", ybuf, n, (off+2)%4)
		for i := range x {
			wx, wy := c*x0[i]-s*y0[i], s*x0[i]+c*y0[i]
			if math.Abs(x[i]-wx) > 3*eps64 || math.Abs(y[i]-wy) > 3*eps64 {
				t.Fatalf("JacobiRotate64 n=%d off=%d: [%d] = (%v, %v), want (%v, %v)", n, off, i, x[i], y[i], wx, wy)
			}
		}
	})
}

func TestJacobiLengthMismatchPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"JacobiDots":     func() { JacobiDots(make([]float32, 3), make([]float32, 2)) },
		"JacobiRotate":   func() { JacobiRotate(make([]float32, 3), make([]float32, 2), 1, 0) },
		"JacobiRotate64": func() { JacobiRotate64(make([]float64, 3), make([]float64, 2), 1, 0) },
	} {
		func() {
			defer func() {
				want := fmt.Sprintf("kernels: %s: len(x) = 3 != len(y) = 2", name)
				if r := recover(); fmt.Sprint(r) != want {
					t.Errorf("%s: recovered %v, want %q", name, r, want)
				}
			}()
			f()
		}()
	}
}
