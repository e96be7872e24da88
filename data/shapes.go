package data

import (
	"fmt"
	"math/rand/v2"
)

// ShapeKind is the kind of object in a shapes image.
type ShapeKind int

// The shape kinds; their values are the dataset's labels, as in the
// reference code (0 circle, 1 square).
const (
	Circle ShapeKind = 0
	Square ShapeKind = 1
)

func (k ShapeKind) String() string {
	switch k {
	case Circle:
		return "circle"
	case Square:
		return "square"
	}
	return fmt.Sprintf("ShapeKind(%d)", int(k))
}

// ShapesConfig describes the synthetic shapes of irmae.txt §4.1 and
// appendix 5.1.1: Size×Size RGB images, black background, one filled circle
// or square of a uniform random colour, of size MinSize..MaxSize at a
// position MinPos..MaxPos on each axis (all inclusive). Intrinsic dimension
// 7: 3 for colour, 2 for position, 1 for size, 1 for kind.
type ShapesConfig struct {
	Size             int // image side (32)
	MinSize, MaxSize int // object size, inclusive (3, 8)
	MinPos, MaxPos   int // object position on each axis, inclusive (8, 24)
}

// DefaultShapesConfig returns the paper's setting: 32×32, size 3–8,
// position 8–24. The paper trains on 50000 examples and validates on
// 10000 (Table 4).
func DefaultShapesConfig() ShapesConfig {
	return ShapesConfig{Size: 32, MinSize: 3, MaxSize: 8, MinPos: 8, MaxPos: 24}
}

func (c ShapesConfig) validate() error {
	switch {
	case c.Size < 1:
		return fmt.Errorf("data: shapes: image size %d < 1", c.Size)
	case c.MinSize < 0 || c.MaxSize < c.MinSize:
		return fmt.Errorf("data: shapes: object size range [%d, %d] is invalid", c.MinSize, c.MaxSize)
	case c.MaxPos < c.MinPos:
		return fmt.Errorf("data: shapes: position range [%d, %d] is empty", c.MinPos, c.MaxPos)
	}
	return nil
}

// Shape is one object of the shapes dataset.
type Shape struct {
	Kind  ShapeKind
	X, Y  int // column and row of the circle's centre or the square's first corner
	Size  int // circle radius, or square side − 1
	Color [3]float32
}

// Params returns the shape's 7 generating parameters in the order stored in
// Dataset.Params: kind, x, y, size, r, g, b.
func (s Shape) Params() [7]float32 {
	return [7]float32{float32(s.Kind), float32(s.X), float32(s.Y), float32(s.Size), s.Color[0], s.Color[1], s.Color[2]}
}

// RandomShape draws a shape as the reference code (facebookresearch/irmae,
// utils.ShapeDataset) does, in the same order: colour uniform in [0,1)³,
// x, y uniform in MinPos..MaxPos, size uniform in MinSize..MaxSize, kind
// circle or square with probability ½ each.
func RandomShape(cfg ShapesConfig, rng *rand.Rand) Shape {
	var s Shape
	for i := range s.Color {
		s.Color[i] = rng.Float32()
	}
	s.X = cfg.MinPos + rng.IntN(cfg.MaxPos-cfg.MinPos+1)
	s.Y = cfg.MinPos + rng.IntN(cfg.MaxPos-cfg.MinPos+1)
	s.Size = cfg.MinSize + rng.IntN(cfg.MaxSize-cfg.MinSize+1)
	s.Kind = ShapeKind(rng.IntN(2))
	return s
}

// Draw paints s into dst, an RGB image of side size in CHW order (3·size²
// values), over what is there; pixels outside the image are clipped. It
// rasterises as the reference's OpenCV calls do: a circle as
// cv.circle(img, (X, Y), Size, colour, -1) — OpenCV's filled midpoint circle,
// radius Size, 2·Size+1 pixels across — and a square as
// cv.rectangle(img, (X, Y), (X+Size, Y+Size), colour, -1), which fills the
// (Size+1)×(Size+1) pixels from (X, Y) to (X+Size, Y+Size) inclusive: the
// reference's "centre" of a square is its top-left corner. It panics if dst
// is shorter than 3·size².
func (s Shape) Draw(dst []float32, size int) {
	if len(dst) < 3*size*size {
		panic(fmt.Sprintf("data: Shape.Draw: dst holds %d values, need %d", len(dst), 3*size*size))
	}
	hline := func(y, x0, x1 int) {
		if y < 0 || y >= size {
			return
		}
		x0, x1 = max(x0, 0), min(x1, size-1)
		for c := 0; c < 3; c++ {
			row := dst[c*size*size+y*size:]
			for x := x0; x <= x1; x++ {
				row[x] = s.Color[c]
			}
		}
	}
	switch s.Kind {
	case Square:
		for y := s.Y; y <= s.Y+s.Size; y++ {
			hline(y, s.X, s.X+s.Size)
		}
	default:
		// OpenCV's Circle (imgproc/src/drawing.cpp) with fill set.
		err, dx, dy, plus, minus := 0, s.Size, 0, 1, 2*s.Size-1
		for dx >= dy {
			hline(s.Y-dy, s.X-dx, s.X+dx)
			hline(s.Y+dy, s.X-dx, s.X+dx)
			hline(s.Y-dx, s.X-dy, s.X+dy)
			hline(s.Y+dx, s.X-dy, s.X+dy)
			dy++
			err += plus
			plus += 2
			if err > 0 {
				err -= minus
				dx--
				minus -= 2
			}
		}
	}
}

// ShapeSample draws sample i of the shapes dataset of seed into dst (3·Size²
// values, CHW, cleared first) and returns its shape. Each sample has its own
// random stream, PCG(seed, i), so that sample i is the same whatever the
// dataset's length and samples can be made in any order, or on the fly.
func ShapeSample(dst []float32, cfg ShapesConfig, seed uint64, i int) Shape {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	s := RandomShape(cfg, rng)
	clear(dst[:3*cfg.Size*cfg.Size])
	s.Draw(dst, cfg.Size)
	return s
}

// Shapes returns n samples of the shapes dataset of seed: 3×Size×Size
// images with values in [0,1), Labels the kind (0 circle, 1 square) and
// Params the 7 parameters of Shape.Params. Use different seeds for the
// training and validation sets.
func Shapes(n int, cfg ShapesConfig, seed uint64) (*Dataset, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("data: shapes: negative count %d", n)
	}
	d := NewDataset(n, 3, cfg.Size, cfg.Size)
	d.Labels = make([]int, n)
	d.NumParams = 7
	d.Params = make([]float32, 7*n)
	for i := 0; i < n; i++ {
		s := ShapeSample(d.Sample(i), cfg, seed, i)
		d.Labels[i] = int(s.Kind)
		p := s.Params()
		copy(d.Params[7*i:], p[:])
	}
	return d, nil
}
