package data

import (
	"math"
	"slices"
	"testing"
)

func TestResizeCoefficients(t *testing.T) {
	// Pillow's bilinear coefficients for 28 → 32 (scale 0.875): output 0
	// takes input 0 alone, output 1 mixes inputs 0 and 1 as 0.1875/0.8125.
	c := resampleCoeffs(28, 32)
	if c[0].lo != 0 || !slices.Equal(c[0].w, []float64{1}) {
		t.Fatalf("output 0: %+v", c[0])
	}
	if c[1].lo != 0 || len(c[1].w) != 2 || math.Abs(c[1].w[0]-0.1875) > 1e-12 || math.Abs(c[1].w[1]-0.8125) > 1e-12 {
		t.Fatalf("output 1: %+v", c[1])
	}
	// Shrinking 4 → 2 widens the triangle to support 2 (antialiasing):
	// output 0 at centre 1 weighs inputs 0, 1, 2 as .75, .75, .25 (÷ 1.75).
	c = resampleCoeffs(4, 2)
	want := []float64{0.75 / 1.75, 0.75 / 1.75, 0.25 / 1.75}
	if c[0].lo != 0 || len(c[0].w) != 3 {
		t.Fatalf("4→2 output 0: %+v", c[0])
	}
	for k := range want {
		if math.Abs(c[0].w[k]-want[k]) > 1e-12 {
			t.Fatalf("4→2 output 0: %+v, want %v", c[0].w, want)
		}
	}
	for _, cs := range [][]resampleCoeff{resampleCoeffs(28, 32), resampleCoeffs(32, 28), resampleCoeffs(148, 64), resampleCoeffs(5, 5)} {
		for i, c := range cs {
			var s float64
			for _, w := range c.w {
				s += w
			}
			if math.Abs(s-1) > 1e-12 {
				t.Fatalf("output %d: weights sum to %v", i, s)
			}
		}
	}
}

func TestResize(t *testing.T) {
	d := NewDataset(2, 2, 28, 28)
	for i := range d.X {
		d.X[i] = float32(i%97) / 97
	}
	d.Labels = []int{3, 4}

	same := Resize(d, 28, 28)
	for i := range d.X {
		if math.Abs(float64(same.X[i]-d.X[i])) > 1e-6 {
			t.Fatalf("28 → 28 changed value %d: %v → %v", i, d.X[i], same.X[i])
		}
	}

	r := Resize(d, 32, 32)
	if r.Shape() != [4]int{2, 2, 32, 32} || !slices.Equal(r.Labels, d.Labels) {
		t.Fatalf("shape %v labels %v", r.Shape(), r.Labels)
	}
	// A convex combination stays in the input's range; corners are kept.
	for p := 0; p < 4; p++ {
		src, dst := d.X[p*784:(p+1)*784], r.X[p*1024:(p+1)*1024]
		lo, hi := slices.Min(src), slices.Max(src)
		for _, v := range dst {
			if v < lo-1e-6 || v > hi+1e-6 {
				t.Fatalf("plane %d: %v outside [%v, %v]", p, v, lo, hi)
			}
		}
		if math.Abs(float64(dst[0]-src[0])) > 1e-6 || math.Abs(float64(dst[1023]-src[783])) > 1e-6 {
			t.Fatalf("plane %d: corners %v %v, want %v %v", p, dst[0], dst[1023], src[0], src[783])
		}
	}

	// A constant image stays constant; a horizontal ramp stays a
	// non-decreasing ramp.
	c := NewDataset(1, 1, 28, 28)
	for y := 0; y < 28; y++ {
		for x := 0; x < 28; x++ {
			c.X[y*28+x] = float32(x)
		}
	}
	rc := Resize(c, 32, 32)
	for y := 0; y < 32; y++ {
		for x := 1; x < 32; x++ {
			if rc.X[y*32+x] < rc.X[y*32+x-1] || rc.X[y*32+x] != rc.X[x] {
				t.Fatalf("ramp broken at (%d, %d)", x, y)
			}
		}
	}
}

func TestPadTo(t *testing.T) {
	d := NewDataset(2, 1, 28, 28)
	for i := range d.X {
		d.X[i] = 1
	}
	p := PadTo(d, 32, 32, -1)
	if p.Shape() != [4]int{2, 1, 32, 32} {
		t.Fatalf("shape %v", p.Shape())
	}
	for n := 0; n < 2; n++ {
		img := p.Sample(n)
		for y := 0; y < 32; y++ {
			for x := 0; x < 32; x++ {
				want := float32(-1)
				if x >= 2 && x < 30 && y >= 2 && y < 30 {
					want = 1
				}
				if img[y*32+x] != want {
					t.Fatalf("sample %d (%d, %d) = %v, want %v", n, x, y, img[y*32+x], want)
				}
			}
		}
	}
}
