package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// im2colNaive is the loop of Im2col's doc comment, entry by entry.
func im2colNaive(g ConvGeom, img, col []float32, ldcol int) {
	oh, ow := g.OutH(), g.OutW()
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				r := (c*g.KH+i)*g.KW + j
				for oy := 0; oy < oh; oy++ {
					for ox := 0; ox < ow; ox++ {
						y, x := oy*g.SH-g.PH+i, ox*g.SW-g.PW+j
						v := float32(0)
						if y >= 0 && y < g.H && x >= 0 && x < g.W {
							v = img[(c*g.H+y)*g.W+x]
						}
						col[r*ldcol+oy*ow+ox] = v
					}
				}
			}
		}
	}
}

// col2imNaive is the loop of Col2im's doc comment.
func col2imNaive(g ConvGeom, col []float32, ldcol int, img []float32) {
	oh, ow := g.OutH(), g.OutW()
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				r := (c*g.KH+i)*g.KW + j
				for oy := 0; oy < oh; oy++ {
					for ox := 0; ox < ow; ox++ {
						y, x := oy*g.SH-g.PH+i, ox*g.SW-g.PW+j
						if y >= 0 && y < g.H && x >= 0 && x < g.W {
							img[(c*g.H+y)*g.W+x] += col[r*ldcol+oy*ow+ox]
						}
					}
				}
			}
		}
	}
}

// im2colGeoms are the geometries the tests run: every stride from 1 to 3 with
// small and large padding, kernels wider than the stride and narrower, odd
// sizes, non-square kernels, and the paper layers' shapes.
func im2colGeoms() []ConvGeom {
	var gs []ConvGeom
	for _, s := range [][2]int{{1, 1}, {2, 2}, {3, 3}, {2, 1}, {1, 3}} {
		for _, p := range [][2]int{{0, 0}, {1, 1}, {2, 1}, {0, 3}} {
			for _, k := range [][2]int{{1, 1}, {3, 3}, {4, 4}, {2, 5}, {5, 3}} {
				for _, hw := range [][2]int{{1, 1}, {5, 7}, {8, 8}, {13, 40}} {
					g := ConvGeom{C: 2, H: hw[0], W: hw[1], KH: k[0], KW: k[1], SH: s[0], SW: s[1], PH: p[0], PW: p[1]}
					if g.H+2*g.PH >= g.KH && g.W+2*g.PW >= g.KW {
						gs = append(gs, g)
					}
				}
			}
		}
	}
	// Rows long enough for several vectors of every ISA.
	gs = append(gs,
		ConvGeom{C: 1, H: 3, W: 131, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		ConvGeom{C: 1, H: 2, W: 70, KH: 1, KW: 4, SH: 1, SW: 2, PH: 0, PW: 2},
		ConvGeom{C: 3, H: 28, W: 28, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		ConvGeom{C: 2, H: 32, W: 32, KH: 4, KW: 4, SH: 2, SW: 2, PH: 1, PW: 1},
	)
	return gs
}

const im2colGuard = 5 // NaN entries before and after every buffer, and between columns

// im2colNaNs returns n values with im2colGuard NaNs on either side: the values are
// s[im2colGuard : im2colGuard+n].
func im2colNaNs(n int) []float32 {
	s := make([]float32, n+2*im2colGuard)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

func im2colRandom(rng *rand.Rand, s []float32) {
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
}

func TestIm2col(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range Variants() {
		for _, g := range im2colGeoms() {
			rows, cols := g.Rows(), g.Cols()
			ldcol := cols + im2colGuard // NaN guards between the rows, too
			img := make([]float32, g.ImageLen())
			im2colRandom(rng, img)
			want := im2colNaNs(rows * ldcol)
			im2colNaive(g, img, want[im2colGuard:], ldcol)
			got := im2colNaNs(rows * ldcol)
			v.Im2col(g, img, got[im2colGuard:], ldcol, im2colWork(g))
			for i := range got {
				if !im2colSame(got[i], want[i]) {
					t.Fatalf("%v: Im2col(%v): entry %d (row %d, column %d) = %v, want %v",
						v, g, i-im2colGuard, (i-im2colGuard)/ldcol, (i-im2colGuard)%ldcol, got[i], want[i])
				}
			}
		}
	}
}

func TestCol2im(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, v := range Variants() {
		for _, g := range im2colGeoms() {
			rows, cols := g.Rows(), g.Cols()
			ldcol := cols + im2colGuard
			// NaNs between the columns must not reach the image.
			col := im2colNaNs(rows * ldcol)
			for r := 0; r < rows; r++ {
				im2colRandom(rng, col[im2colGuard+r*ldcol:im2colGuard+r*ldcol+cols])
			}
			base := make([]float32, g.ImageLen())
			im2colRandom(rng, base)
			want := im2colNaNs(len(base))
			copy(want[im2colGuard:], base)
			col2imNaive(g, col[im2colGuard:], ldcol, want[im2colGuard:im2colGuard+len(base)])
			got := im2colNaNs(len(base))
			copy(got[im2colGuard:], base)
			v.Col2im(g, col[im2colGuard:], ldcol, got[im2colGuard:im2colGuard+len(base)], im2colWork(g))
			for i := range got {
				if !im2colClose(got[i], want[i]) {
					t.Fatalf("%v: Col2im(%v): entry %d = %v, want %v", v, g, i-im2colGuard, got[i], want[i])
				}
			}
		}
	}
}

// TestIm2colAdjoint checks ⟨Im2col(x), m⟩ = ⟨x, Col2im(m)⟩, which is what makes
// Col2im the backward pass of Im2col.
func TestIm2colAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, g := range im2colGeoms() {
		x := make([]float32, g.ImageLen())
		m := make([]float32, g.Rows()*g.Cols())
		im2colRandom(rng, x)
		im2colRandom(rng, m)
		col := make([]float32, len(m))
		Im2col(g, x, col, g.Cols(), make([]float32, g.WorkLen()))
		back := make([]float32, len(x))
		Col2im(g, m, g.Cols(), back, make([]float32, g.WorkLen()))
		var lhs, rhs float64
		for i := range m {
			lhs += float64(col[i]) * float64(m[i])
		}
		for i := range x {
			rhs += float64(x[i]) * float64(back[i])
		}
		if math.Abs(lhs-rhs) > 1e-4*(1+math.Abs(lhs)) {
			t.Fatalf("%v: ⟨Im2col x, m⟩ = %v, ⟨x, Col2im m⟩ = %v", g, lhs, rhs)
		}
	}
}

// im2colWork returns scratch for g filled with NaNs, which the kernels must
// overwrite before they read it.
func im2colWork(g ConvGeom) []float32 {
	w := make([]float32, g.WorkLen())
	for i := range w {
		w[i] = float32(math.NaN())
	}
	return w
}

// TestIm2colBlockPrimitives holds copyRows and addRows of every variant to the
// references, for every row length up to 70 (several vectors and every tail),
// a few row counts and strides, with NaN guards around and between the rows.
func TestIm2colBlockPrimitives(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, v := range Variants() {
		for cols := 0; cols <= 70; cols++ {
			for _, rows := range []int{0, 1, 2, 5} {
				ld := cols + 3
				n := 0
				if rows > 0 {
					n = (rows-1)*ld + cols
				}
				src := im2colNaNs(n)
				for r := 0; r < rows; r++ {
					im2colRandom(rng, src[im2colGuard+r*ld:im2colGuard+r*ld+cols])
				}
				want := im2colNaNs(rows * cols)
				copyRowsGeneric(want[im2colGuard:im2colGuard+rows*cols], src[im2colGuard:im2colGuard+n], rows, cols, ld)
				got := im2colNaNs(rows * cols)
				v.copyRows(got[im2colGuard:im2colGuard+rows*cols], src[im2colGuard:im2colGuard+n], rows, cols, ld)
				for i := range got {
					if !im2colSame(got[i], want[i]) {
						t.Fatalf("%v: copyRows rows=%d cols=%d: entry %d = %v, want %v", v, rows, cols, i-im2colGuard, got[i], want[i])
					}
				}

				// addRows into the strided block: the NaNs between rows stay.
				add := make([]float32, rows*cols)
				im2colRandom(rng, add)
				wantDst := append([]float32(nil), src...)
				addRowsGeneric(wantDst[im2colGuard:im2colGuard+n], ld, add, rows, cols)
				gotDst := append([]float32(nil), src...)
				v.addRows(gotDst[im2colGuard:im2colGuard+n], ld, add, rows, cols)
				for i := range gotDst {
					if !im2colSame(gotDst[i], wantDst[i]) {
						t.Fatalf("%v: addRows rows=%d cols=%d: entry %d = %v, want %v", v, rows, cols, i-im2colGuard, gotDst[i], wantDst[i])
					}
				}
			}
		}
	}
}

func TestIm2colPanics(t *testing.T) {
	g := ConvGeom{C: 1, H: 4, W: 4, KH: 3, KW: 3, SH: 1, SW: 1, PH: 0, PW: 0}
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"short col", func() { Im2col(g, make([]float32, 16), make([]float32, 35), 4, nil) },
			"kernels: Im2col: len(col) = 35 < 36 for a 9×4 matrix with ldcol = 4"},
		{"short ldcol", func() { Im2col(g, make([]float32, 16), make([]float32, 36), 3, nil) },
			"kernels: Im2col: ldcol = 3 < OH·OW = 4"},
		{"short img", func() { Col2im(g, make([]float32, 36), 4, make([]float32, 15), nil) },
			"kernels: Col2im: len(img) = 15 < C·H·W = 16"},
		{"big kernel", func() {
			Im2col(ConvGeom{C: 1, H: 2, W: 2, KH: 3, KW: 3, SH: 1, SW: 1}, make([]float32, 4), make([]float32, 9), 1, nil)
		}, "kernels: Im2col: C=1 H=2 W=2 kernel 3×3 stride 1×1 padding 0×0: kernel larger than the padded image"},
		{"band rows", func() { Im2colBatchRows(g, 2, make([]float32, 32), make([]float32, 72), 4, 1, 3) },
			"kernels: Im2colBatchRows: output rows [1, 3) outside [0, 2) or empty"},
		{"band ldcol", func() { Col2imBatchRows(g, 2, make([]float32, 72), 3, make([]float32, 32), 0, 1) },
			"kernels: Col2imBatchRows: ldcol = 3 < 4 columns of the band"},
		{"short work", func() {
			Im2col(ConvGeom{C: 1, H: 4, W: 4, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1}, make([]float32, 16), make([]float32, 36), 4, make([]float32, 35))
		}, "kernels: Im2col: len(work) = 35 < WorkLen() = 36"},
	} {
		func() {
			defer func() {
				if r := recover(); fmt.Sprint(r) != c.want {
					t.Errorf("%s: panic %v, want %q", c.name, r, c.want)
				}
			}()
			c.f()
		}()
	}
}

// same reports whether a and b are equal or both NaN.
func im2colSame(a, b float32) bool { return a == b || (a != a && b != b) }

// close32 reports whether a and b agree to float32 rounding of a few additions,
// or are both NaN.
func im2colClose(a, b float32) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Abs(float64(a-b)) <= 1e-5*(1+math.Abs(float64(b)))
}

func BenchmarkIm2col(b *testing.B) {
	for _, g := range []ConvGeom{
		{C: 32, H: 14, W: 14, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 32, H: 16, W: 16, KH: 4, KW: 4, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 8, H: 32, W: 32, KH: 5, KW: 5, SH: 1, SW: 1},
		{C: 8, H: 32, W: 32, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		// The RRAE-MNIST decoder's transposed convolutions as the
		// convolutions they are the adjoints of (their col2im is the forward).
		{C: 256, H: 4, W: 4, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 128, H: 8, W: 8, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 32, H: 16, W: 16, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
	} {
		name := fmt.Sprintf("c=%d,h=%d,w=%d,k=%d,s=%d,p=%d", g.C, g.H, g.W, g.KH, g.SH, g.PH)
		img := filled(g.ImageLen(), 1)
		col := make([]float32, g.Rows()*g.Cols())
		work := make([]float32, g.WorkLen())
		for _, v := range Variants() {
			b.Run(name+"/pass=im2col/level="+v.String(), func(b *testing.B) {
				b.SetBytes(int64(4 * len(col)))
				for b.Loop() {
					v.Im2col(g, img, col, g.Cols(), work)
				}
			})
			b.Run(name+"/pass=col2im/level="+v.String(), func(b *testing.B) {
				b.SetBytes(int64(4 * len(col)))
				for b.Loop() {
					v.Col2im(g, col, g.Cols(), img, work)
				}
			})
		}
	}
}
