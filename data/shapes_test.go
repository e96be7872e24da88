package data

import (
	"slices"
	"strings"
	"testing"
)

func TestShapesDeterministic(t *testing.T) {
	cfg := DefaultShapesConfig()
	a, err := Shapes(200, cfg, 11)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Shapes(200, cfg, 11)
	if !slices.Equal(a.X, b.X) || !slices.Equal(a.Labels, b.Labels) || !slices.Equal(a.Params, b.Params) {
		t.Fatal("same seed, different data")
	}
	// Sample i depends on (seed, i) only: a shorter set is a prefix.
	p, _ := Shapes(50, cfg, 11)
	if !slices.Equal(p.X, a.X[:len(p.X)]) {
		t.Fatal("Shapes(50) is not a prefix of Shapes(200)")
	}
	c, _ := Shapes(200, cfg, 12)
	if slices.Equal(a.Params, c.Params) {
		t.Fatal("the seed does not change the data")
	}
	buf := make([]float32, 3*32*32)
	for i := range buf {
		buf[i] = 9 // ShapeSample clears dst
	}
	s := ShapeSample(buf, cfg, 11, 17)
	if !slices.Equal(buf, a.Sample(17)) || s.Params() != [7]float32(a.Param(17)) {
		t.Fatal("ShapeSample(seed, 17) differs from Shapes' sample 17")
	}
}

func TestShapesProperties(t *testing.T) {
	cfg := DefaultShapesConfig()
	const n = 2000
	d, err := Shapes(n, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Shape() != [4]int{n, 3, 32, 32} || d.NumParams != 7 {
		t.Fatalf("shape %v, %d params", d.Shape(), d.NumParams)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	kinds := map[int]int{}
	sizes := map[int]bool{}
	xs := map[int]bool{}
	const hw = 32 * 32
	for i := 0; i < n; i++ {
		img, p := d.Sample(i), d.Param(i)
		kind, x, y, size := int(p[0]), int(p[1]), int(p[2]), int(p[3])
		col := [3]float32{p[4], p[5], p[6]}
		kinds[kind]++
		sizes[size] = true
		xs[x], xs[y] = true, true
		if d.Labels[i] != kind {
			t.Fatalf("sample %d: label %d, kind %d", i, d.Labels[i], kind)
		}
		if x < 8 || x > 24 || y < 8 || y > 24 || size < 3 || size > 8 {
			t.Fatalf("sample %d: position (%d, %d) size %d out of range", i, x, y, size)
		}
		for _, c := range col {
			if c < 0 || c >= 1 {
				t.Fatalf("sample %d: colour %v", i, col)
			}
		}
		// One object: every pixel is either background or the colour.
		minX, maxX, minY, maxY, count := 99, -1, 99, -1, 0
		for py := 0; py < 32; py++ {
			for px := 0; px < 32; px++ {
				k := py*32 + px
				v := [3]float32{img[k], img[hw+k], img[2*hw+k]}
				if v == [3]float32{} {
					continue
				}
				if v != col {
					t.Fatalf("sample %d: pixel (%d, %d) = %v, object colour %v", i, px, py, v, col)
				}
				count++
				minX, maxX, minY, maxY = min(minX, px), max(maxX, px), min(minY, py), max(maxY, py)
			}
		}
		switch ShapeKind(kind) {
		case Square:
			wantMaxX, wantMaxY := min(x+size, 31), min(y+size, 31)
			if minX != x || minY != y || maxX != wantMaxX || maxY != wantMaxY {
				t.Fatalf("sample %d: square (%d,%d) size %d spans x %d..%d y %d..%d", i, x, y, size, minX, maxX, minY, maxY)
			}
			if count != (wantMaxX-x+1)*(wantMaxY-y+1) {
				t.Fatalf("sample %d: square has %d pixels, not a filled rectangle", i, count)
			}
		case Circle:
			if minX != x-size || minY != y-size || maxX != min(x+size, 31) || maxY != min(y+size, 31) {
				t.Fatalf("sample %d: circle (%d,%d) radius %d spans x %d..%d y %d..%d", i, x, y, size, minX, maxX, minY, maxY)
			}
			// Every pixel inside radius − 0.5 is filled, none beyond radius + 0.5.
			for py := 0; py < 32; py++ {
				for px := 0; px < 32; px++ {
					r2 := float64((px-x)*(px-x) + (py-y)*(py-y))
					on := img[py*32+px] != 0 || img[hw+py*32+px] != 0 || img[2*hw+py*32+px] != 0
					rs := float64(size)
					if r2 < (rs-0.5)*(rs-0.5) && !on || r2 > (rs+0.5)*(rs+0.5) && on {
						t.Fatalf("sample %d: circle (%d,%d) radius %d: pixel (%d,%d) filled=%v", i, x, y, size, px, py, on)
					}
				}
			}
		default:
			t.Fatalf("sample %d: kind %d", i, kind)
		}
	}
	if kinds[0] < n/3 || kinds[1] < n/3 {
		t.Fatalf("kinds %v: want both about half", kinds)
	}
	if len(sizes) != 6 || len(xs) != 17 {
		t.Fatalf("%d sizes (want 6) and %d positions (want 17) seen", len(sizes), len(xs))
	}
}

func TestShapeCircleSymmetric(t *testing.T) {
	// Away from the border OpenCV's filled circle is symmetric in x, y and
	// the diagonal, and radius 0 is one pixel.
	for r := 0; r <= 8; r++ {
		img := make([]float32, 3*32*32)
		Shape{Kind: Circle, X: 15, Y: 15, Size: r, Color: [3]float32{1, 1, 1}}.Draw(img, 32)
		on := func(x, y int) bool { return img[y*32+x] != 0 }
		count := 0
		for y := 0; y <= 30; y++ {
			for x := 0; x <= 30; x++ {
				if on(x, y) {
					count++
				}
				if on(x, y) != on(30-x, y) || on(x, y) != on(x, 30-y) || on(x, y) != on(y, x) {
					t.Fatalf("radius %d: not symmetric at (%d, %d)", r, x, y)
				}
			}
		}
		if r == 0 && count != 1 {
			t.Fatalf("radius 0: %d pixels", count)
		}
	}
}

func TestShapesConfigErrors(t *testing.T) {
	cfg := DefaultShapesConfig()
	cfg.MaxPos = 2
	if _, err := Shapes(1, cfg, 0); err == nil || !strings.Contains(err.Error(), "position range") {
		t.Fatalf("got %v", err)
	}
	cfg = DefaultShapesConfig()
	cfg.MinSize = 9
	if _, err := Shapes(1, cfg, 0); err == nil || !strings.Contains(err.Error(), "size range") {
		t.Fatalf("got %v", err)
	}
	if _, err := Shapes(-1, DefaultShapesConfig(), 0); err == nil || !strings.Contains(err.Error(), "negative count") {
		t.Fatalf("got %v", err)
	}
}
