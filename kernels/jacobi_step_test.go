package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// stepPairs returns a random round-robin-like step on nc columns: disjoint
// pairs covering npairs·2 of them in random order.
func stepPairs(r *rand.Rand, nc, npairs int) (p, q []int) {
	perm := r.Perm(nc)
	for k := 0; k < npairs; k++ {
		p = append(p, perm[2*k])
		q = append(q, perm[2*k+1])
	}
	return p, q
}

var stepRows = []int{1, 3, 7, 8, 15, 16, 31, 32, 33, 64, 100}

func TestJacobiPairDots(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, v := range Variants() {
		for _, rows := range stepRows {
			for _, npairs := range []int{0, 1, 4, 5} {
				nc := 2*npairs + 1
				cols := make([]float32, nc*rows)
				for i := range cols {
					cols[i] = float32(2*r.Float64() - 1)
				}
				p, q := stepPairs(r, nc, npairs)
				xx, yy, xy := make([]float64, npairs), make([]float64, npairs), make([]float64, npairs)
				v.JacobiPairDots(cols, rows, p, q, xx, yy, xy)
				for k := range p {
					x, y := cols[p[k]*rows:][:rows], cols[q[k]*rows:][:rows]
					tx, ty, txy := make([]float64, rows), make([]float64, rows), make([]float64, rows)
					for i := range x {
						a, b := float64(x[i]), float64(y[i])
						tx[i], ty[i], txy[i] = a*a, b*b, a*b
					}
					name := fmt.Sprintf("%s JacobiPairDots rows=%d pair %d of %d", v, rows, k, npairs)
					checkDot64(t, name+" xx", xx[k], tx)
					checkDot64(t, name+" yy", yy[k], ty)
					checkDot64(t, name+" xy", xy[k], txy)
				}
			}
		}
	}
}

// TestJacobiAngles checks every variant against JacobiRotation pair by pair,
// bit for bit (the kernels do its operations in its order), on pairs that
// rotate, pairs under the threshold, negligible and zero columns, at lengths
// that exercise the vector tails, and checks nothing is written past the end.
func TestJacobiAngles(t *testing.T) {
	const tol, small = 1e-4, 0x1p-200
	r := rand.New(rand.NewPCG(3, 4))
	for _, v := range Variants() {
		for n := 0; n <= 13; n++ {
			xx, yy, xy := make([]float64, n), make([]float64, n), make([]float64, n)
			for k := range xx {
				xx[k], yy[k] = math.Exp(8*r.Float64()-4), math.Exp(8*r.Float64()-4)
				cos := 2*r.Float64() - 1
				switch k % 5 {
				case 1:
					cos *= tol // under the threshold
				case 2:
					xx[k] = 0x1p-210 // negligible
				case 3:
					xx[k], yy[k] = 0, 0
				case 4:
					xx[k] = yy[k] // d = 0: a 45° rotation
				}
				xy[k] = cos * math.Sqrt(xx[k]*yy[k])
			}
			c, cbuf := guarded64(n, 1)
			s, sbuf := guarded64(n, 3)
			got := v.JacobiAngles(xx, yy, xy, tol, small, c, s)
			checkGuards64(t, "JacobiAngles c", cbuf, n, 1)
			checkGuards64(t, "JacobiAngles s", sbuf, n, 3)
			want := 0
			for k := range xx {
				wc, ws, _, ok := JacobiRotation(xx[k], yy[k], xy[k], tol, small)
				if ok {
					want++
				}
				if c[k] != wc || s[k] != ws {
					t.Fatalf("%s n=%d pair %d (%v, %v, %v): (c, s) = (%v, %v), want (%v, %v)",
						v, n, k, xx[k], yy[k], xy[k], c[k], s[k], wc, ws)
				}
			}
			if got != want {
				t.Errorf("%s n=%d: %d rotations, want %d", v, n, got, want)
			}
		}
	}
}

// TestJacobiRotation checks that the rotation makes the pair orthogonal and
// keeps c² + s² = 1.
func TestJacobiRotation(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		x, y := make([]float64, 5), make([]float64, 5)
		for i := range x {
			x[i], y[i] = r.NormFloat64(), r.NormFloat64()
		}
		var app, aqq, apq float64
		for i := range x {
			app, aqq, apq = app+x[i]*x[i], aqq+y[i]*y[i], apq+x[i]*y[i]
		}
		c, s, tn, ok := JacobiRotation(app, aqq, apq, 1e-12, 0)
		if !ok {
			t.Fatalf("pair with cosine %v not rotated", apq/math.Sqrt(app*aqq))
		}
		var d float64
		for i := range x {
			d += (c*x[i] - s*y[i]) * (s*x[i] + c*y[i])
		}
		if math.Abs(d) > 1e-12*math.Sqrt(app*aqq) || math.Abs(c*c+s*s-1) > 1e-15 || math.Abs(s/c-tn) > 1e-14*math.Abs(tn) {
			t.Fatalf("rotation (%v, %v, %v): rotated dot %v, c²+s²−1 = %v", c, s, tn, d, c*c+s*s-1)
		}
	}
}

// TestJacobiRotatePairs checks the batched rotations against the pair kernels
// of the same variant (the same loop, so bit for bit) and the generic ones,
// and that columns outside the pairs stay as they were.
func TestJacobiRotatePairs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	generic := Variants()[len(Variants())-1]
	for _, v := range Variants() {
		for _, rows := range stepRows {
			const nc, npairs = 11, 5
			cols := make([]float32, nc*rows)
			w := make([]float64, nc*rows)
			for i := range cols {
				cols[i] = float32(2*r.Float64() - 1)
				w[i] = 2*r.Float64() - 1
			}
			p, q := stepPairs(r, nc, npairs)
			c, s := make([]float64, npairs), make([]float64, npairs)
			for k := range c {
				th := 2 * math.Pi * r.Float64()
				c[k], s[k] = math.Cos(th), math.Sin(th)
			}
			c[1], s[1] = -1, 0                   // s = 0: left as it is, not rotated by π
			c[3], s[3] = 1, math.Copysign(0, -1) // so is −0
			gotCols, gotW := slices.Clone(cols), slices.Clone(w)
			v.JacobiRotatePairs(gotCols, rows, p, q, c, s)
			v.JacobiRotatePairs64(gotW, rows, p, q, c, s)
			wantCols, wantW := slices.Clone(cols), slices.Clone(w)
			genCols, genW := slices.Clone(cols), slices.Clone(w)
			for k := range p {
				if s[k] == 0 {
					continue
				}
				for _, m := range []struct {
					v    *Variant
					cols []float32
					w    []float64
				}{{v, wantCols, wantW}, {generic, genCols, genW}} {
					m.v.JacobiRotate(m.cols[p[k]*rows:][:rows], m.cols[q[k]*rows:][:rows], float32(c[k]), float32(s[k]))
					m.v.JacobiRotate64(m.w[p[k]*rows:][:rows], m.w[q[k]*rows:][:rows], c[k], s[k])
				}
			}
			if !slices.Equal(gotCols, wantCols) || !slices.Equal(gotW, wantW) {
				t.Fatalf("%s rows=%d: batched rotations differ from the pair kernel's", v, rows)
			}
			for i := range cols {
				if math.Abs(float64(gotCols[i]-genCols[i])) > 3*eps32 || math.Abs(gotW[i]-genW[i]) > 3*eps64 {
					t.Fatalf("%s rows=%d: element %d = (%v, %v), generic (%v, %v)", v, rows, i, gotCols[i], gotW[i], genCols[i], genW[i])
				}
			}
		}
	}
}

func TestJacobiPairsBadIndexPanics(t *testing.T) {
	cols, w, f := make([]float32, 12), make([]float64, 12), make([]float64, 1)
	for name, call := range map[string]func(){
		"column out of range": func() { JacobiPairDots(cols, 4, []int{0}, []int{3}, f, f, f) },
		"negative column":     func() { JacobiRotatePairs(cols, 4, []int{-1}, []int{0}, f, f) },
		"pair with itself":    func() { JacobiRotatePairs64(w, 4, []int{1}, []int{1}, f, f) },
		"lengths":             func() { JacobiPairDots(cols, 4, []int{0}, []int{1, 2}, f, f, f) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "kernels: Jacobi") {
					t.Errorf("%s: recovered %v, want a kernels panic", name, r)
				}
			}()
			call()
		}()
	}
}
