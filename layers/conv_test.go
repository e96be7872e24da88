package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/rankae/rankae/linalg"
)

// convCases are the geometries the gradient checks run: strides 1, 2 and
// mixed, padding 0, 1 and 2, odd sizes, non-square kernels, output padding.
func convCases() []struct {
	name string
	l    Layer
	x    []int
} {
	rng := NewRand(11)
	conv := func(in, out, kh, kw, sh, sw, ph, pw int) *Conv2D {
		c := NewConv2D(in, out, kh, kw, 1, 0, rng)
		c.Stride, c.Padding = [2]int{sh, sw}, [2]int{ph, pw}
		return c
	}
	convT := func(in, out, kh, kw, sh, sw, ph, pw, oph, opw int) *ConvTranspose2D {
		c := NewConvTranspose2D(in, out, kh, kw, 1, 0, 0, rng)
		c.Stride, c.Padding, c.OutputPadding = [2]int{sh, sw}, [2]int{ph, pw}, [2]int{oph, opw}
		return c
	}
	return []struct {
		name string
		l    Layer
		x    []int
	}{
		{"Conv3x3s2p1", conv(3, 4, 3, 3, 2, 2, 1, 1), []int{2, 3, 7, 9}},
		{"Conv2x3s1p0", conv(2, 3, 2, 3, 1, 1, 0, 0), []int{2, 2, 5, 6}},
		{"Conv4x4s2p1", conv(2, 3, 4, 4, 2, 2, 1, 1), []int{3, 2, 8, 7}},
		{"Conv3x2s(2,1)p(0,2)", conv(2, 2, 3, 2, 2, 1, 0, 2), []int{2, 2, 6, 5}},
		{"Conv1x1", conv(3, 2, 1, 1, 1, 1, 0, 0), []int{2, 3, 4, 3}},
		{"Conv5x5s3p2", conv(1, 2, 5, 5, 3, 3, 2, 2), []int{2, 1, 9, 10}},
		// One output channel at stride 1: the direct path.
		{"Conv5x5s1p0out1", conv(3, 1, 5, 5, 1, 1, 0, 0), []int{2, 3, 9, 8}},
		{"Conv3x2s1p(2,1)out1", conv(2, 1, 3, 2, 1, 1, 2, 1), []int{3, 2, 5, 6}},
		{"Conv2x2s1p3out1", conv(2, 1, 2, 2, 1, 1, 3, 3), []int{2, 2, 3, 4}}, // rows and columns that reach no input
		{"ConvT3x3s1p1out1", convT(3, 1, 3, 3, 1, 1, 1, 1, 0, 0), []int{2, 3, 6, 5}},
		{"ConvT2x4s1p(0,2)out1", convT(2, 1, 2, 4, 1, 1, 0, 2, 0, 0), []int{3, 2, 4, 7}},
		{"ConvT3x3s1p2out1", convT(2, 1, 3, 3, 1, 1, 2, 2, 0, 0), []int{2, 2, 7, 6}},
		{"ConvT3x3s2p1op1", convT(3, 2, 3, 3, 2, 2, 1, 1, 1, 1), []int{2, 3, 4, 5}},
		{"ConvT2x3s1p0", convT(2, 3, 2, 3, 1, 1, 0, 0, 0, 0), []int{2, 2, 3, 4}},
		{"ConvT4x4s2p1", convT(3, 2, 4, 4, 2, 2, 1, 1, 0, 0), []int{2, 3, 3, 3}},
		{"ConvT3x4s(2,3)p(1,0)op(1,2)", convT(2, 2, 3, 4, 2, 3, 1, 0, 1, 2), []int{2, 2, 3, 5}},
		{"ConvT3x3s3p2op2", convT(2, 3, 3, 3, 3, 3, 2, 2, 2, 2), []int{2, 2, 4, 3}},
	}
}

func TestConvGradFiniteDifferences(t *testing.T) {
	rng := NewRand(12)
	// The layers are linear in x and in the parameters, so central
	// differences have no truncation error and a large step keeps the
	// float32 rounding of the loss small.
	const h, tol = 0.25, 1e-3
	for _, c := range convCases() {
		fdCheckLayer(t, c.name, c.l, randTensor(rng, -1, 1, c.x...), h, tol)
	}
}

// TestConvGradCheckFails makes sure the finite-difference check above can see
// a wrong gradient: a bias gradient doubled.
func TestConvGradCheckFails(t *testing.T) {
	c := NewConv2D(2, 2, 3, 3, 2, 1, NewRand(1))
	x := randTensor(NewRand(2), -1, 1, 1, 2, 5, 5)
	var r fdRecorder
	fdCheckLayer(&r, "Conv", &doubledBiasGrad{c}, x, 0.25, 1e-3)
	if r.errors == 0 {
		t.Fatal("a doubled bias gradient passed the finite-difference check")
	}
}

type doubledBiasGrad struct{ *Conv2D }

func (d *doubledBiasGrad) Backward(dy *Tensor) *Tensor {
	before := slices.Clone(d.Bias.Grad.Data)
	dx := d.Conv2D.Backward(dy)
	for i, v := range d.Bias.Grad.Data {
		d.Bias.Grad.Data[i] += v - before[i]
	}
	return dx
}

// convTorchCase is one case of testdata/conv_torch.json (gen_conv.py).
type convTorchCase struct {
	Kind          string    `json:"kind"`
	In            int       `json:"in"`
	Out           int       `json:"out"`
	Kernel        [2]int    `json:"kernel"`
	Stride        [2]int    `json:"stride"`
	Padding       [2]int    `json:"padding"`
	OutputPadding [2]int    `json:"output_padding"`
	XShape        []int     `json:"x_shape"`
	YShape        []int     `json:"y_shape"`
	Weight        []float32 `json:"weight"`
	Bias          []float32 `json:"bias"`
	X             []float32 `json:"x"`
	DY            []float32 `json:"dy"`
	Y             []float32 `json:"y"`
	DX            []float32 `json:"dx"`
	DWeight       []float32 `json:"dweight"`
	DBias         []float32 `json:"dbias"`
}

// TestConvMatchesPyTorch runs the layers on PyTorch's parameters and inputs
// and compares output and gradients with PyTorch's, to 1e-5 of each tensor's
// largest entry.
func TestConvMatchesPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/conv_torch.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Torch string          `json:"torch"`
		Cases []convTorchCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) == 0 {
		t.Fatal("no cases in testdata/conv_torch.json")
	}
	for i, c := range file.Cases {
		var l Layer
		switch c.Kind {
		case "conv":
			cv := NewConv2D(c.In, c.Out, c.Kernel[0], c.Kernel[1], 1, 0, NewRand(0))
			cv.Stride, cv.Padding = c.Stride, c.Padding
			l = cv
		case "convT":
			cv := NewConvTranspose2D(c.In, c.Out, c.Kernel[0], c.Kernel[1], 1, 0, 0, NewRand(0))
			cv.Stride, cv.Padding, cv.OutputPadding = c.Stride, c.Padding, c.OutputPadding
			l = cv
		default:
			t.Fatalf("case %d: unknown kind %q", i, c.Kind)
		}
		name := fmt.Sprintf("case %d: %v on %v", i, l, c.XShape)
		ps := l.Params()
		copy(ps[0].Value.Data, c.Weight)
		copy(ps[1].Value.Data, c.Bias)
		y := l.Forward(FromSlice(c.X, c.XShape...))
		if !slices.Equal(y.Shape, c.YShape) {
			t.Fatalf("%s: output shape %v, PyTorch %v", name, y.Shape, c.YShape)
		}
		convCompare(t, name, "y", y.Data, c.Y)
		dx := l.Backward(FromSlice(c.DY, c.YShape...))
		convCompare(t, name, "dx", dx.Data, c.DX)
		convCompare(t, name, "dweight", ps[0].Grad.Data, c.DWeight)
		convCompare(t, name, "dbias", ps[1].Grad.Data, c.DBias)
	}
}

// convCompare fails unless got and want agree to 1e-5 of want's largest entry.
func convCompare(t *testing.T, name, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %s has %d values, PyTorch %d", name, what, len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(float64(w)))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-5*scale) {
			t.Fatalf("%s: %s[%d] = %v, PyTorch %v (difference %.3g of the largest %.3g)", name, what, i, got[i], want[i], d, scale)
		}
	}
}

// TestConvThreadsAgree checks that one thread and several give the same bits:
// the work is split over images and GEMM tiles, never over a sum.
func TestConvThreadsAgree(t *testing.T) {
	for _, threads := range []int{2, 3} {
		for _, c := range []struct {
			mk     func() Layer
			in, hw int
		}{
			{func() Layer { return NewConv2D(8, 16, 3, 3, 2, 1, NewRand(5)) }, 8, 20},
			{func() Layer { return NewConvTranspose2D(16, 8, 3, 3, 2, 1, 1, NewRand(5)) }, 16, 10},
			{func() Layer { return NewConv2D(8, 1, 5, 5, 1, 0, NewRand(5)) }, 8, 20},               // direct
			{func() Layer { return NewConvTranspose2D(16, 1, 3, 3, 1, 1, 0, NewRand(5)) }, 16, 10}, // direct
		} {
			x := randTensor(NewRand(6), -1, 1, 9, c.in, c.hw, c.hw)
			run := func(n int) (y, dx, dw []float32) {
				defer linalg.SetThreads(linalg.SetThreads(n))
				l := c.mk()
				yt := l.Forward(x)
				dy := randTensor(NewRand(8), -1, 1, yt.Shape...)
				dxt := l.Backward(dy)
				return slices.Clone(yt.Data), slices.Clone(dxt.Data), slices.Clone(l.Params()[0].Grad.Data)
			}
			y1, dx1, dw1 := run(1)
			yn, dxn, dwn := run(threads)
			if !slices.Equal(y1, yn) || !slices.Equal(dx1, dxn) || !slices.Equal(dw1, dwn) {
				t.Errorf("%v: %d threads differ from one", c.mk(), threads)
			}
		}
	}
}

// TestConvNoAllocs checks that a training step's forward and backward allocate
// nothing once the layer has seen the shapes, on one thread and several.
func TestConvNoAllocs(t *testing.T) {
	if convRaceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	for _, threads := range []int{1, 2} {
		for _, c := range []struct {
			l  Layer
			in int
		}{
			{NewConv2D(4, 8, 3, 3, 2, 1, NewRand(1)), 4},
			{NewConvTranspose2D(8, 4, 3, 3, 2, 1, 1, NewRand(1)), 8},
			{NewConv2D(4, 1, 3, 3, 1, 1, NewRand(1)), 4},             // direct
			{NewConvTranspose2D(8, 1, 3, 3, 1, 1, 0, NewRand(1)), 8}, // direct
		} {
			func() {
				defer linalg.SetThreads(linalg.SetThreads(threads))
				l := c.l
				x := randTensor(NewRand(2), -1, 1, 8, c.in, 16, 16)
				dy := randTensor(NewRand(3), -1, 1, l.Forward(x).Shape...)
				l.Backward(dy)
				allocs := testing.AllocsPerRun(20, func() {
					l.Forward(x)
					l.Backward(dy)
				})
				if allocs != 0 {
					t.Errorf("%v, %d threads: %v allocations per step, want 0", l, threads, allocs)
				}
			}()
		}
	}
}

func TestConvSkipInputGrad(t *testing.T) {
	for _, l := range []interface {
		Layer
		skip()
	}{
		&convSkip{NewConv2D(2, 3, 3, 3, 1, 1, NewRand(1))},
		&convTSkip{NewConvTranspose2D(2, 3, 3, 3, 2, 1, 1, NewRand(1))},
	} {
		x := randTensor(NewRand(2), -1, 1, 2, 2, 5, 5)
		y := l.Forward(x)
		dy := randTensor(NewRand(3), -1, 1, y.Shape...)
		l.Backward(dy)
		want := slices.Clone(l.Params()[0].Grad.Data)
		ZeroGrad(l.Params())
		l.skip()
		l.Forward(x)
		if dx := l.Backward(dy); dx != nil {
			t.Errorf("%v: SkipInputGrad returned dx %v", l, dx)
		}
		if !slices.Equal(want, l.Params()[0].Grad.Data) {
			t.Errorf("%v: SkipInputGrad changed the weight gradient", l)
		}
	}
}

type convSkip struct{ *Conv2D }

func (c *convSkip) skip() { c.SkipInputGrad = true }

type convTSkip struct{ *ConvTranspose2D }

func (c *convTSkip) skip() { c.SkipInputGrad = true }

// TestConvInit checks PyTorch's default bounds: 1/√(in·kh·kw) for Conv2d and
// 1/√(out·kh·kw) for ConvTranspose2d, weight and bias alike.
func TestConvInit(t *testing.T) {
	for _, c := range []struct {
		l     Layer
		bound float64
	}{
		{NewConv2D(8, 16, 3, 3, 2, 1, NewRand(1)), 1 / math.Sqrt(8*9)},
		{NewConvTranspose2D(64, 4, 3, 2, 2, 1, 1, NewRand(1)), 1 / math.Sqrt(4*6)},
	} {
		for _, p := range c.l.Params() {
			lo, hi := slices.Min(p.Value.Data), slices.Max(p.Value.Data)
			if float64(-lo) > c.bound || float64(hi) > c.bound || float64(hi-lo) < c.bound {
				t.Errorf("%v: %s in [%v, %v], want spread over ±%v", c.l, p.Name, lo, hi, c.bound)
			}
		}
	}
	a, b := NewConv2D(3, 4, 3, 3, 1, 1, NewRand(9)), NewConv2D(3, 4, 3, 3, 1, 1, NewRand(9))
	if !slices.Equal(a.Weight.Value.Data, b.Weight.Value.Data) {
		t.Error("one seed gave two initialisations")
	}
}

func TestConvShapesAndPanics(t *testing.T) {
	c := NewConv2D(3, 5, 3, 3, 2, 1, NewRand(1))
	if y := c.Forward(NewTensor(2, 3, 28, 28)); !slices.Equal(y.Shape, []int{2, 5, 14, 14}) {
		t.Errorf("%v on 28×28: shape %v", c, y.Shape)
	}
	ct := NewConvTranspose2D(5, 3, 3, 3, 2, 1, 1, NewRand(1))
	if y := ct.Forward(NewTensor(2, 5, 7, 7)); !slices.Equal(y.Shape, []int{2, 3, 14, 14}) {
		t.Errorf("%v on 7×7: shape %v", ct, y.Shape)
	}
	for _, p := range []struct {
		name string
		f    func()
		want string
	}{
		{"conv channels", func() { c.Forward(NewTensor(2, 4, 8, 8)) },
			"layers: Conv2d(3, 5, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=true).Forward: input shape [2 4 8 8], want [B 3 H W]"},
		{"conv small", func() { NewConv2D(1, 1, 5, 5, 1, 0, NewRand(1)).Forward(NewTensor(1, 1, 4, 9)) },
			"layers: Conv2d(1, 1, kernel_size=(5, 5), stride=(1, 1), padding=(0, 0), bias=true).Forward: input shape [1 1 4 9] too small for the kernel (or bad stride/padding)"},
		{"conv dy", func() { c.Forward(NewTensor(2, 3, 8, 8)); c.Backward(NewTensor(2, 5, 4, 5)) },
			"layers: Conv2d(3, 5, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=true).Backward: gradient shape [2 5 4 5], want [2 5 4 4]"},
		{"convT rank", func() { ct.Forward(NewTensor(5, 7, 7)) },
			"layers: ConvTranspose2d(5, 3, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), bias=true).Forward: input shape [5 7 7], want [B 5 H W]"},
		{"convT before forward", func() { NewConvTranspose2D(1, 1, 1, 1, 1, 0, 0, NewRand(1)).Backward(NewTensor(1, 1, 1, 1)) },
			"layers: ConvTranspose2d(1, 1, kernel_size=(1, 1), stride=(1, 1), padding=(0, 0), output_padding=(0, 0), bias=true).Backward before Forward"},
		{"convT output padding", func() { NewConvTranspose2D(1, 1, 3, 3, 2, 1, 2, NewRand(1)) },
			"layers: ConvTranspose2D(1, 1, kernel 3×3, stride 2, padding 1, output_padding 2): sizes and stride must be positive, padding not negative, output padding below the stride"},
	} {
		func() {
			defer func() {
				if r := recover(); fmt.Sprint(r) != p.want {
					t.Errorf("%s: panic %v\nwant %q", p.name, r, p.want)
				}
			}()
			p.f()
		}()
	}
}

// TestConvBands runs convolutions band by band, down to one row of the
// im2col matrix's column image at a time, against the whole matrix at once:
// the output and the input gradient must agree to rounding (the bands split
// the weight gradient's sum).
func TestConvBands(t *testing.T) {
	rng := NewRand(13)
	for _, c := range convCases() {
		if cv, ok := c.l.(*Conv2D); ok && cv.direct() {
			continue
		}
		if ct, ok := c.l.(*ConvTranspose2D); ok && ct.direct() {
			continue
		}
		x := randTensor(rng, -1, 1, c.x...)
		run := func(bandBytes int) (y, dx, dw []float32) {
			defer func(old int) { convBandBytes = old }(convBandBytes)
			convBandBytes = bandBytes
			var l Layer
			switch cv := c.l.(type) {
			case *Conv2D:
				n := NewConv2D(cv.In, cv.Out, cv.KernelH, cv.KernelW, 1, 0, NewRand(3))
				n.Stride, n.Padding = cv.Stride, cv.Padding
				l = n
			case *ConvTranspose2D:
				n := NewConvTranspose2D(cv.In, cv.Out, cv.KernelH, cv.KernelW, 1, 0, 0, NewRand(3))
				n.Stride, n.Padding, n.OutputPadding = cv.Stride, cv.Padding, cv.OutputPadding
				l = n
			}
			yt := l.Forward(x)
			dxt := l.Backward(randTensor(NewRand(4), -1, 1, yt.Shape...))
			return slices.Clone(yt.Data), slices.Clone(dxt.Data), slices.Clone(l.Params()[0].Grad.Data)
		}
		y0, dx0, dw0 := run(1 << 40)
		for _, band := range []int{1, 1 << 10} {
			y1, dx1, dw1 := run(band)
			name := fmt.Sprintf("%s, bands of %d bytes", c.name, band)
			convCompare(t, name, "y", y1, y0)
			convCompare(t, name, "dx", dx1, dx0)
			convCompare(t, name, "dweight", dw1, dw0)
		}
	}
}
