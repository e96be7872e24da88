package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Every variant the CPU supports is held to the references here, for every length
// 0..maxLen and several misalignments, with NaN guard bands around every buffer:
// a write out of bounds changes a guard, and a read out of bounds puts a NaN into a
// reduction.

const (
	maxLen = 300
	guard  = 16 // floats of guard band on each side
)

var guardBits = uint32(0x7fc0dead) // a quiet NaN with a payload no kernel produces

const eps32 = 1.0 / (1 << 23)

// guarded returns a slice of n floats starting off floats into a buffer framed by
// guard bands, and the buffer to check them later. cap is n: kernels may not use
// more.
func guarded(n, off int) (s, buf []float32) {
	buf = make([]float32, guard+off+n+guard)
	for i := range buf {
		buf[i] = math.Float32frombits(guardBits)
	}
	return buf[guard+off : guard+off+n : guard+off+n], buf
}

func checkGuards(t *testing.T, name string, buf []float32, n, off int) {
	t.Helper()
	for i, v := range buf {
		if i >= guard+off && i < guard+off+n {
			continue
		}
		if math.Float32bits(v) != guardBits {
			t.Fatalf("%s: wrote out of bounds at %d (slice is [%d, %d))", name, i-guard-off, 0, n)
		}
	}
}

// randomSlice fills a guarded slice with values in [-1, 1).
func randomSlice(r *rand.Rand, n, off int) (s, buf []float32) {
	s, buf = guarded(n, off)
	for i := range s {
		s[i] = 2*r.Float32() - 1
	}
	return s, buf
}

// forEachCase runs f for every supported variant, length and misalignment.
func forEachCase(t *testing.T, f func(t *testing.T, v *Variant, r *rand.Rand, n, off int)) {
	for _, v := range Variants() {
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(v.level)))
			for n := 0; n <= maxLen; n++ {
				for _, off := range []int{0, 1, 3, 7} {
					f(t, v, r, n, off)
				}
			}
		})
	}
}

// sameValue reports whether got equals want, NaN matching NaN.
func sameValue(got, want float32) bool {
	return got == want || (got != got && want != want)
}

// checkReduction checks got against Σ terms computed in float64, within the
// standard bound for a sum of n float32 terms in any order, n·u·Σ|terms|.
func checkReduction(t *testing.T, name string, got float32, terms []float64) {
	t.Helper()
	var exact, abs float64
	for _, x := range terms {
		exact += x
		abs += math.Abs(x)
	}
	tol := float64(len(terms)+1) * eps32 * abs
	if math.IsNaN(float64(got)) || math.Abs(float64(got)-exact) > tol {
		t.Fatalf("%s: got %v, want %v ± %v", name, got, exact, tol)
	}
}

func TestDot(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := randomSlice(r, n, off)
		y, _ := randomSlice(r, n, (off+1)%4)
		terms := make([]float64, n)
		for i := range terms {
			terms[i] = float64(x[i]) * float64(y[i])
		}
		checkReduction(t, fmt.Sprintf("Dot n=%d off=%d", n, off), v.Dot(x, y), terms)
	})
}

func TestSum(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := randomSlice(r, n, off)
		terms := make([]float64, n)
		for i := range terms {
			terms[i] = float64(x[i])
		}
		checkReduction(t, fmt.Sprintf("Sum n=%d off=%d", n, off), v.Sum(x), terms)
	})
}

func TestSumSq(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := randomSlice(r, n, off)
		terms := make([]float64, n)
		for i := range terms {
			terms[i] = float64(x[i]) * float64(x[i])
		}
		checkReduction(t, fmt.Sprintf("SumSq n=%d off=%d", n, off), v.SumSq(x), terms)
	})
}

func TestAxpy(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		const alpha = -0.7
		x, _ := randomSlice(r, n, off)
		y, ybuf := randomSlice(r, n, (off+2)%4)
		y0 := append([]float32(nil), y...)
		v.Axpy(alpha, x, y)
		checkGuards(t, "Axpy", ybuf, n, (off+2)%4)
		for i := range y {
			// One rounding with FMA, two without.
			want := float64(y0[i]) + alpha*float64(x[i])
			tol := 2 * eps32 * (math.Abs(float64(y0[i])) + math.Abs(alpha*float64(x[i])))
			if math.Abs(float64(y[i])-want) > tol {
				t.Fatalf("Axpy n=%d off=%d: y[%d] = %v, want %v", n, off, i, y[i], want)
			}
		}
	})
}

// checkExact checks an element-wise kernel whose variants must all agree bit for
// bit with the reference up to the sign of zero and the payload of NaN.
func checkExact(t *testing.T, name string, n, off int, got, want []float32) {
	t.Helper()
	for i := range want {
		if !sameValue(got[i], want[i]) {
			t.Fatalf("%s n=%d off=%d: [%d] = %v, want %v", name, n, off, i, got[i], want[i])
		}
	}
}

func TestScal(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, buf := randomSlice(r, n, off)
		want := append([]float32(nil), x...)
		scalGeneric(1.5, want)
		v.Scal(1.5, x)
		checkGuards(t, "Scal", buf, n, off)
		checkExact(t, "Scal", n, off, x, want)
	})
}

func TestAddMul(t *testing.T) {
	ops := []struct {
		name    string
		ref     func(dst, x, y []float32)
		fromVar func(v *Variant) func(dst, x, y []float32)
	}{
		{"Add", addGeneric, func(v *Variant) func(dst, x, y []float32) { return v.Add }},
		{"Mul", mulGeneric, func(v *Variant) func(dst, x, y []float32) { return v.Mul }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
				x, _ := randomSlice(r, n, off)
				y, _ := randomSlice(r, n, (off+1)%4)
				dst, buf := guarded(n, (off+3)%4)
				want := make([]float32, n)
				op.ref(want, x, y)
				op.fromVar(v)(dst, x, y)
				checkGuards(t, op.name, buf, n, (off+3)%4)
				checkExact(t, op.name, n, off, dst, want)
				// In place: dst aliases x.
				op.fromVar(v)(x, x, y)
				checkExact(t, op.name+" in place", n, off, x, want)
			})
		})
	}
}

// specialSlice is like randomSlice with some zeros of both signs, NaNs and
// infinities mixed in, for the kernels that branch on sign.
func specialSlice(r *rand.Rand, n, off int) (s, buf []float32) {
	s, buf = randomSlice(r, n, off)
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for i := range s {
		if r.IntN(8) == 0 {
			s[i] = specials[r.IntN(len(specials))]
		}
	}
	return s, buf
}

func TestReLU(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := specialSlice(r, n, off)
		dst, buf := guarded(n, (off+1)%4)
		want := make([]float32, n)
		reluGeneric(want, x)
		v.ReLU(dst, x)
		checkGuards(t, "ReLU", buf, n, (off+1)%4)
		checkExact(t, "ReLU", n, off, dst, want)
	})
}

func TestReLUBackward(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := specialSlice(r, n, off)
		dy, _ := randomSlice(r, n, (off+2)%4)
		dx, buf := guarded(n, (off+1)%4)
		want := make([]float32, n)
		reluBackwardGeneric(want, dy, x)
		v.ReLUBackward(dx, dy, x)
		checkGuards(t, "ReLUBackward", buf, n, (off+1)%4)
		checkExact(t, "ReLUBackward", n, off, dx, want)
	})
}

// tanh64 against math.Tanh over the float32 range that matters, including
// the small arguments where 1 − 2/(e^(2x)+1) alone would cancel.
func TestTanh64(t *testing.T) {
	for _, x := range []float64{0, 1e-30, 1e-10, 3e-4, 0x1p-12, 0.01, 0.3, 0.55, 1, 2.5, 9, 9.1, 19.9, 20.1, 100, math.Inf(1)} {
		for _, v := range []float64{x, -x} {
			got, want := float32(tanh64(v)), float32(math.Tanh(v))
			if got != want && math.Abs(float64(got-want)) > 1e-7*math.Abs(float64(want)) {
				t.Errorf("tanh64(%g) = %v, math.Tanh %v", v, got, want)
			}
		}
	}
}

// TestTanh checks every variant within 2 ulp of float64's math.Tanh on
// inputs spread over the range where tanh is not yet ±1 in float32, around
// the kernels' switch from the polynomial at 0.625 and their clamp, on tiny
// and subnormal inputs, and on ±0 (whose sign is kept), NaN and ±Inf.
func TestTanh(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := specialSlice(r, n, off)
		for i := range x {
			switch r.IntN(4) {
			case 0:
				x[i] *= 12
			case 1:
				x[i] = float32(0.625 + (r.Float64()-0.5)*1e-3)
			case 2:
				x[i] = float32(math.Ldexp(2*r.Float64()-1, -r.IntN(140)))
			}
		}
		dst, buf := guarded(n, (off+1)%4)
		v.Tanh(dst, x)
		checkGuards(t, "Tanh", buf, n, (off+1)%4)
		for i, xi := range x {
			want := float32(math.Tanh(float64(xi)))
			got := dst[i]
			switch {
			case math.IsNaN(float64(want)):
				if !math.IsNaN(float64(got)) {
					t.Fatalf("Tanh(%v) = %v, want NaN", xi, got)
				}
			case want == 0:
				if got != 0 || math.Signbit(float64(got)) != math.Signbit(float64(xi)) {
					t.Fatalf("Tanh(%v) = %v, want %v", xi, got, want)
				}
			default:
				ulp := math.Abs(float64(math.Nextafter32(want, 2)) - float64(want))
				if want >= 1 {
					ulp = math.Abs(float64(want) - float64(math.Nextafter32(want, 0)))
				}
				if d := math.Abs(float64(got) - math.Tanh(float64(xi))); d > 2*ulp {
					t.Fatalf("Tanh(%v) = %v, want %v (%.2f ulp off)", xi, got, want, d/ulp)
				}
			}
		}
	})
}

// TestAdam checks the fused step against a float64 reference, as Adam and as
// AdaBelief (whose v tracks (g − m)² plus epsRoot).
func TestAdam(t *testing.T) {
	const beta1, beta2 = 0.9, 0.999
	for _, opt := range []struct {
		name string
		s    AdamStep
	}{
		{"Adam", NewAdamStep(1e-3, beta1, beta2, 1e-8, 7)},
		{"AdaBelief", NewAdaBeliefStep(1e-3, beta1, beta2, 1e-16, 1e-6, 7)},
	} {
		s := opt.s
		t.Run(opt.name, func(t *testing.T) {
			forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
				p, pbuf := randomSlice(r, n, off)
				g, _ := randomSlice(r, n, (off+1)%4)
				m, mbuf := randomSlice(r, n, (off+2)%4)
				vel, vbuf := randomSlice(r, n, (off+3)%4)
				for i := range vel {
					vel[i] *= vel[i] // second moments are not negative
				}
				p0, m0, v0 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), vel...)
				v.Adam(p, g, m, vel, s)
				checkGuards(t, "Adam param", pbuf, n, off)
				checkGuards(t, "Adam m", mbuf, n, (off+2)%4)
				checkGuards(t, "Adam v", vbuf, n, (off+3)%4)
				// The reference is float64 with the exact 1-beta (the kernel gets them
				// rounded once, from float64; forming them in float32 fails this).
				b1, b2 := float64(s.Beta1), float64(s.Beta2)
				c1, c2 := 1-beta1, 1-beta2
				for i := range p {
					gi := float64(g[i])
					d := gi - float64(s.Belief)*float64(m0[i])
					wantM := b1*float64(m0[i]) + c1*gi
					wantV := b2*float64(v0[i]) + c2*d*d + float64(s.EpsRoot)
					tolM := 3 * eps32 * (math.Abs(b1*float64(m0[i])) + math.Abs(c1*gi))
					tolV := 6 * eps32 * wantV
					if math.Abs(float64(m[i])-wantM) > tolM || math.Abs(float64(vel[i])-wantV) > tolV {
						t.Fatalf("n=%d off=%d: m[%d], v[%d] = %v, %v, want %v, %v", n, off, i, i, m[i], vel[i], wantM, wantV)
					}
					// The update inherits the relative errors of m and v, plus a few roundings.
					update := float64(s.StepSize) * float64(m[i]) / (math.Sqrt(float64(vel[i]))*float64(s.InvSqrtBias2) + float64(s.Eps))
					wantP := float64(p0[i]) - update
					tolP := eps32*math.Abs(float64(p0[i])) + 8*eps32*math.Abs(update)
					if math.Abs(float64(p[i])-wantP) > tolP {
						t.Fatalf("n=%d off=%d: param[%d] = %v, want %v ± %v", n, off, i, p[i], wantP, tolP)
					}
				}
			})
		})
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || fmt.Sprint(r) != "kernels: Dot: len(x) = 3 != len(y) = 2" {
			t.Fatalf("recovered %v", r)
		}
	}()
	Dot(make([]float32, 3), make([]float32, 2))
}
