package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randomSlice64(r *rand.Rand, n, off int) (s, buf []float64) {
	s, buf = guarded64(n, off)
	for i := range s {
		s[i] = 2*r.Float64() - 1
	}
	return s, buf
}

func TestDot64(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := randomSlice64(r, n, off)
		y, _ := randomSlice64(r, n, (off+1)%4)
		terms := make([]float64, n)
		for i := range x {
			terms[i] = x[i] * y[i]
		}
		// The products round too: one more ε per term than checkDot64 allows.
		got := v.Dot64(x, y)
		var exact, abs float64
		for _, e := range terms {
			exact += e
			abs += math.Abs(e)
		}
		if tol := float64(n+2) * eps64 * abs; math.IsNaN(got) || math.Abs(got-exact) > tol {
			t.Fatalf("Dot64 n=%d off=%d: got %v, want %v ± %v", n, off, got, exact, tol)
		}
	})
}

func TestAxpy64(t *testing.T) {
	const alpha = -0.375
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		x, _ := randomSlice64(r, n, off)
		y, ybuf := randomSlice64(r, n, (off+2)%4)
		y0 := append([]float64(nil), y...)
		v.Axpy64(alpha, x, y)
		checkGuards64(t, "Axpy64 y", ybuf, n, (off+2)%4)
		for i := range y {
			if want := y0[i] + alpha*x[i]; math.Abs(y[i]-want) > 2*eps64 {
				t.Fatalf("Axpy64 n=%d off=%d: y[%d] = %v, want %v", n, off, i, y[i], want)
			}
		}
	})
}

func TestGemv64(t *testing.T) {
	for _, v := range Variants() {
		r := rand.New(rand.NewPCG(2, uint64(v.level)))
		eigenShapes(func(rows, cols, pad int) {
			ld := rows + pad
			x := paddedColumns(r, rows, cols, pad)
			alpha, _ := randomSlice64(r, cols, 1)
			y, ybuf := randomSlice64(r, rows, 3)
			y0 := append([]float64(nil), y...)
			v.Gemv64(y, x, ld, alpha)
			name := fmt.Sprintf("%s Gemv64 rows=%d cols=%d ld=%d", v, rows, cols, ld)
			checkGuards64(t, name, ybuf, rows, 3)
			for i := range y {
				want, abs := y0[i], math.Abs(y0[i])
				for k, ak := range alpha {
					want += ak * x[k*ld+i]
					abs += math.Abs(ak * x[k*ld+i])
				}
				if math.IsNaN(y[i]) || math.Abs(y[i]-want) > float64(2*cols+2)*eps64*abs {
					t.Fatalf("%s: y[%d] = %v, want %v", name, i, y[i], want)
				}
			}
		})
	}
}

func TestEigenKernelPanics(t *testing.T) {
	for name, c := range map[string]struct {
		f    func()
		want string
	}{
		"Dot64":  {func() { Dot64(make([]float64, 3), make([]float64, 2)) }, "kernels: Dot64: len(x) = 3 != len(y) = 2"},
		"Axpy64": {func() { Axpy64(1, make([]float64, 3), make([]float64, 2)) }, "kernels: Axpy64: len(x) = 3 != len(y) = 2"},
		"Gemv64 ldx": {func() { Gemv64(make([]float64, 4), make([]float64, 12), 3, make([]float64, 2)) },
			"kernels: Gemv64: stride 3 < column length 4"},
		"Gemv64 short x": {func() { Gemv64(make([]float64, 4), make([]float64, 8), 5, make([]float64, 2)) },
			"kernels: Gemv64: 8 elements < 9 for 2 columns of 4 with stride 5"},
		"GemvT64": {func() { GemvT64(make([]float64, 2), make([]float64, 7), 4, make([]float64, 4)) },
			"kernels: GemvT64: 7 elements < 8 for 2 columns of 4 with stride 4"},
		"Rank2Update64": {func() { Rank2Update64(make([]float64, 6), 3, make([]float64, 3), make([]float64, 2), nil, nil) },
			"kernels: Rank2Update64: len(x) = 3 != len(y) = 2"},
		"RotateSeq64": {func() { RotateSeq64(make([]float64, 8), 3, make([]float64, 2), make([]float64, 2)) },
			"kernels: RotateSeq64: 8 elements < 9 for 3 columns of 3 with stride 3"},
	} {
		func() {
			defer func() {
				if r := recover(); fmt.Sprint(r) != c.want {
					t.Errorf("%s: panic %v, want %q", name, r, c.want)
				}
			}()
			c.f()
		}()
	}
}

// eigenShapes are the (rows, cols) the matrix kernels are tested on: every
// row count to past two of the widest unrolled blocks (Gemv64's 64 rows),
// with 1–6 columns (GemvT64 groups four), each with and without padding
// between the columns.
func eigenShapes(f func(rows, cols, pad int)) {
	for rows := 0; rows <= 140; rows++ {
		for cols := 1; cols <= 6; cols++ {
			for _, pad := range []int{0, 3} {
				f(rows, cols, pad)
			}
		}
	}
}

// paddedColumns returns cols random columns of rows elements with stride
// rows+pad; the padding holds NaN, which a kernel reading it would spread.
func paddedColumns(r *rand.Rand, rows, cols, pad int) []float64 {
	ld := rows + pad
	x, _ := randomSlice64(r, max(cols*ld, 1), 0)
	for k := 0; k < cols; k++ {
		for i := rows; i < ld; i++ {
			x[k*ld+i] = math.NaN()
		}
	}
	return x
}

func TestGemvT64(t *testing.T) {
	for _, v := range Variants() {
		r := rand.New(rand.NewPCG(3, uint64(v.level)))
		eigenShapes(func(rows, cols, pad int) {
			ld := rows + pad
			x := paddedColumns(r, rows, cols, pad)
			alpha, _ := randomSlice64(r, rows, 1)
			y, ybuf := randomSlice64(r, cols, 2)
			y0 := append([]float64(nil), y...)
			v.GemvT64(y, x, ld, alpha)
			name := fmt.Sprintf("%s GemvT64 rows=%d cols=%d ld=%d", v, rows, cols, ld)
			checkGuards64(t, name, ybuf, cols, 2)
			for k := range y {
				want, abs := y0[k], math.Abs(y0[k])
				for i, ai := range alpha {
					want += x[k*ld+i] * ai
					abs += math.Abs(x[k*ld+i] * ai)
				}
				if math.IsNaN(y[k]) || math.Abs(y[k]-want) > float64(2*rows+2)*eps64*abs {
					t.Fatalf("%s: y[%d] = %v, want %v", name, k, y[k], want)
				}
			}
		})
	}
}

func TestRank2Update64(t *testing.T) {
	for _, v := range Variants() {
		r := rand.New(rand.NewPCG(4, uint64(v.level)))
		eigenShapes(func(rows, cols, pad int) {
			ld := rows + pad
			c := paddedColumns(r, rows, cols, pad)
			c0 := append([]float64(nil), c...)
			x, _ := randomSlice64(r, rows, 1)
			y, _ := randomSlice64(r, rows, 2)
			alpha, _ := randomSlice64(r, cols, 3)
			beta, _ := randomSlice64(r, cols, 0)
			v.Rank2Update64(c, ld, x, y, alpha, beta)
			name := fmt.Sprintf("%s Rank2Update64 rows=%d cols=%d ld=%d", v, rows, cols, ld)
			for j := 0; j < cols; j++ {
				for i := 0; i < ld; i++ {
					got := c[j*ld+i]
					if i >= rows {
						if !math.IsNaN(got) {
							t.Fatalf("%s: wrote the padding at (%d, %d)", name, i, j)
						}
						continue
					}
					want := c0[j*ld+i] + alpha[j]*x[i] + beta[j]*y[i]
					if math.Abs(got-want) > 4*eps64*(math.Abs(c0[j*ld+i])+2) {
						t.Fatalf("%s: c(%d, %d) = %v, want %v", name, i, j, got, want)
					}
				}
			}
		})
	}
}

func TestRotateSeq64(t *testing.T) {
	for _, v := range Variants() {
		r := rand.New(rand.NewPCG(5, uint64(v.level)))
		eigenShapes(func(rows, cols, _ int) {
			z, zbuf := randomSlice64(r, rows*(cols+1), 1)
			c, s := make([]float64, cols), make([]float64, cols)
			for k := range c {
				th := 2 * math.Pi * r.Float64()
				c[k], s[k] = math.Cos(th), math.Sin(th)
			}
			want := append([]float64(nil), z...)
			rotateSeq64Generic(want, rows, c, s)
			v.RotateSeq64(z, rows, c, s)
			name := fmt.Sprintf("%s RotateSeq64 rows=%d rotations=%d", v, rows, cols)
			checkGuards64(t, name, zbuf, rows*(cols+1), 1)
			for i := range z {
				if math.IsNaN(z[i]) || math.Abs(z[i]-want[i]) > float64(4*cols)*eps64 {
					t.Fatalf("%s: z[%d] = %v, want %v", name, i, z[i], want[i])
				}
			}
		})
	}
}

func TestGemm64(t *testing.T) {
	for _, v := range Variants() {
		r := rand.New(rand.NewPCG(6, uint64(v.level)))
		for _, m := range []int{1, 3, 7, 8, 9, 15, 16, 31, 32, 33, 40, 64, 70, 300} {
			for _, n := range []int{1, 3, 4, 5, 8, 9} {
				for _, k := range []int{1, 2, 5, 17, 260} {
					lda, ldb, ldc := m+1, k+2, m+3
					a := paddedColumns(r, m, k, lda-m)
					b := paddedColumns(r, k, n, ldb-k)
					c := paddedColumns(r, m, n, ldc-m)
					c0 := append([]float64(nil), c...)
					v.Gemm64(m, n, k, a, lda, b, ldb, c, ldc)
					name := fmt.Sprintf("%s Gemm64 %d×%d×%d", v, m, n, k)
					for j := 0; j < n; j++ {
						for i := 0; i < ldc; i++ {
							got := c[j*ldc+i]
							if i >= m {
								if !math.IsNaN(got) {
									t.Fatalf("%s: wrote the padding at (%d, %d)", name, i, j)
								}
								continue
							}
							want, abs := c0[j*ldc+i], math.Abs(c0[j*ldc+i])
							for p := 0; p < k; p++ {
								want += a[p*lda+i] * b[j*ldb+p]
								abs += math.Abs(a[p*lda+i] * b[j*ldb+p])
							}
							if math.Abs(got-want) > float64(2*k+2)*eps64*abs {
								t.Fatalf("%s: c(%d, %d) = %v, want %v", name, i, j, got, want)
							}
						}
					}
				}
			}
		}
	}
}

func TestWidenNarrow(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		src, _ := randomSlice(r, n, off)
		if n > 2 {
			src[0], src[1] = float32(math.Inf(-1)), float32(math.NaN())
		}
		wide, wbuf := guarded64(n, (off+1)%4)
		v.Widen(wide, src)
		checkGuards64(t, "Widen", wbuf, n, (off+1)%4)
		for i, e := range src {
			if !sameValue(float32(wide[i]), e) || (wide[i] != float64(e) && e == e) {
				t.Fatalf("Widen n=%d: [%d] = %v, want %v", n, i, wide[i], e)
			}
		}
		// Halfway and near-halfway values between float32 neighbours.
		for i := range wide {
			wide[i] += 0x1p-30 * float64(i%3-1)
		}
		narrow, nbuf := guarded(n, (off+2)%4)
		v.Narrow(narrow, wide)
		checkGuards(t, "Narrow", nbuf, n, (off+2)%4)
		for i, e := range wide {
			if want := float32(e); !sameValue(narrow[i], want) {
				t.Fatalf("Narrow n=%d: [%d] = %v, want %v", n, i, narrow[i], want)
			}
		}
	})
}

func TestSecularTerms(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		delta, _ := randomSlice64(r, n, off)
		z, _ := randomSlice64(r, n, (off+1)%4)
		for _, tau := range []float64{0, 0.3} {
			for j := range delta {
				delta[j] = 3*delta[j] + math.Copysign(0.5, delta[j]) // away from tau
			}
			s, ds := v.SecularTerms(delta, z, tau)
			var ws, wds, abs float64
			for j := range delta {
				q := z[j] / (delta[j] - tau)
				ws += z[j] * q
				wds += q * q
				abs += math.Abs(z[j] * q)
			}
			tol := float64(2*n+4) * eps64
			if math.IsNaN(s) || math.Abs(s-ws) > tol*abs || math.Abs(ds-wds) > tol*wds {
				t.Fatalf("SecularTerms n=%d tau=%v: (%v, %v), want (%v, %v)", n, tau, s, ds, ws, wds)
			}
		}
	})
}

func TestScaleQuotients64(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		w, wbuf := randomSlice64(r, n, off)
		num, _ := randomSlice64(r, n, (off+1)%4)
		den, _ := randomSlice64(r, n, (off+2)%4)
		for _, c := range []float64{0, 2.5} {
			want := make([]float64, n)
			for i := range w {
				want[i] = w[i] * (num[i] / (den[i] - c))
			}
			v.ScaleQuotients64(w, num, den, c)
			checkGuards64(t, "ScaleQuotients64", wbuf, n, off)
			for i := range w {
				if w[i] != want[i] && !(math.IsNaN(w[i]) && math.IsNaN(want[i])) {
					t.Fatalf("ScaleQuotients64 n=%d c=%v: [%d] = %v, want %v", n, c, i, w[i], want[i])
				}
			}
		}
	})
}

func TestQuotients64(t *testing.T) {
	forEachCase(t, func(t *testing.T, v *Variant, r *rand.Rand, n, off int) {
		num, _ := randomSlice64(r, n, (off+1)%4)
		den, dbuf := randomSlice64(r, n, off)
		want := make([]float64, n)
		var wss float64
		for i := range den {
			den[i] += math.Copysign(0.5, den[i]) // away from 0
			want[i] = num[i] / den[i]
			wss += want[i] * want[i]
		}
		q, qbuf := guarded64(n, (off+2)%4)
		ss := v.Quotients64(q, num, den)
		checkGuards64(t, "Quotients64", qbuf, n, (off+2)%4)
		for i := range q {
			if q[i] != want[i] {
				t.Fatalf("Quotients64 n=%d: [%d] = %v, want %v", n, i, q[i], want[i])
			}
		}
		if tol := float64(n+2) * eps64 * wss; math.IsNaN(ss) || math.Abs(ss-wss) > tol {
			t.Fatalf("Quotients64 n=%d: Σq² = %v, want %v", n, ss, wss)
		}
		// In place over den, as divide and conquer calls it.
		if ss2 := v.Quotients64(den, num, den); ss2 != ss {
			t.Fatalf("Quotients64 n=%d in place: Σq² = %v, want %v", n, ss2, ss)
		}
		checkGuards64(t, "Quotients64 in place", dbuf, n, off)
		for i := range den {
			if den[i] != want[i] {
				t.Fatalf("Quotients64 n=%d in place: [%d] = %v, want %v", n, i, den[i], want[i])
			}
		}
	})
}
