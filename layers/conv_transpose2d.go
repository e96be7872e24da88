package layers

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/rankae/rankae/kernels"
	"github.com/rankae/rankae/linalg"
)

// ConvTranspose2D is PyTorch's nn.ConvTranspose2d (no dilation, no groups),
// the adjoint of a Conv2D with the same kernel, stride and padding: a batch x
// of shape [B, In, H, W] gives y of shape [B, Out, OH, OW] with
//
//	OH = (H − 1)·sh − 2·ph + KH + oph   (likewise OW)
//	y[b, o, y·sh − ph + i, x·sw − pw + j] += W[c, o, i, j] · x[b, c, y, x]   (plus bias[o])
//
// for every c, i, j, y, x whose target lies inside the output; output padding
// (oph, opw < stride) adds rows and columns at the bottom and right that only
// the bias reaches from a short input.
//
// Forward is a Conv2D's backward-data pass: one GEMM col = Wᵀ·X over the
// batch, then col2im of the columns into the output, which starts as the
// bias. Backward is a Conv2D's forward: im2col of dL/dy, then dL/dW = X·colᵀ
// and dL/dx = W·col. Inside, activations have the batch innermost (see
// Conv2D). A layer with one output channel and stride 1 runs as a direct
// convolution instead (conv_direct.go).
type ConvTranspose2D struct {
	In, Out          int
	KernelH, KernelW int
	Stride           [2]int // rows, columns; ≥ 1
	Padding          [2]int // rows, columns; removed from both sides of the output
	OutputPadding    [2]int // rows, columns added at the bottom and right; < Stride

	Weight *Param // "weight", [In, Out, KernelH, KernelW]
	Bias   *Param // "bias", [Out]; nil for a layer without bias

	// SkipInputGrad, when set, makes Backward skip dL/dx and return nil.
	SkipInputGrad bool

	x     *Tensor
	geom  kernels.ConvGeom // the adjoint convolution: over one output image, its output is H×W
	batch int
	xT    []float32 // [In·H·W, B]: x with the batch innermost (x.Data itself, or xBuf), kept for Backward
	col   []float32 // [Out·KH·KW, band's columns]: Wᵀ·X in Forward, im2col of dL/dy in Backward, a band at a time (convBands)
	yT    []float32 // [Out·OH·OW, B]: the output, then dL/dy, batch innermost (y or dy's data, or yBuf)
	dxT   []float32 // [In·H·W, B]: dL/dx, batch innermost (dx.Data itself, or dxBuf)
	y, dx Tensor
	dc    directConv  // the direct layers' passes (conv_direct.go)
	bands convBands   // over the input rows
	w     bandWeights // Wᵀ in Forward, W in Backward

	xBuf, yBuf, dxBuf []float32 // the layout changes' own buffers
	innerOut          bool      // give the output with the batch innermost (Sequential sets it)
	tr                batchTranspose
	wg                sync.WaitGroup
}

// NewConvTranspose2D returns a ConvTranspose2D layer with bias, a kh×kw kernel
// and the same stride, padding and output padding along both axes (set the
// fields to differ), initialised as PyTorch does: weight then bias from
// U(±1/√(out·kh·kw)) (PyTorch's fan-in of this layer is weight.size(1)·kh·kw),
// drawn from rng.
func NewConvTranspose2D(in, out, kh, kw, stride, padding, outputPadding int, rng *rand.Rand) *ConvTranspose2D {
	if in <= 0 || out <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || padding < 0 || outputPadding < 0 || outputPadding >= stride {
		panic(fmt.Sprintf("layers: ConvTranspose2D(%d, %d, kernel %d×%d, stride %d, padding %d, output_padding %d): "+
			"sizes and stride must be positive, padding not negative, output padding below the stride",
			in, out, kh, kw, stride, padding, outputPadding))
	}
	c := &ConvTranspose2D{
		In: in, Out: out, KernelH: kh, KernelW: kw,
		Stride: [2]int{stride, stride}, Padding: [2]int{padding, padding},
		OutputPadding: [2]int{outputPadding, outputPadding},
		Weight:        NewParam("weight", in, out, kh, kw),
		Bias:          NewParam("bias", out),
	}
	c.Reset(rng)
	return c
}

// Reset draws the parameters again from PyTorch's default law: weight, then
// bias, from U(±1/√(Out·KernelH·KernelW)).
func (c *ConvTranspose2D) Reset(rng *rand.Rand) {
	b := DefaultBound(c.Out * c.KernelH * c.KernelW)
	InitUniform(c.Weight.Value, b, rng)
	if c.Bias != nil {
		InitUniform(c.Bias.Value, b, rng)
	}
}

// geometry returns the adjoint convolution, over one output image, panicking
// unless x is [B, In, H, W] with a non-empty output.
func (c *ConvTranspose2D) geometry(x *Tensor) kernels.ConvGeom {
	if len(x.Shape) != 4 || x.Shape[1] != c.In {
		panic(fmt.Sprintf("layers: %v.Forward: input shape %v, want [B %d H W]", c, x.Shape, c.In))
	}
	h, w := x.Shape[2], x.Shape[3]
	s, p, op := c.Stride, c.Padding, c.OutputPadding
	if s[0] <= 0 || s[1] <= 0 || p[0] < 0 || p[1] < 0 || op[0] < 0 || op[1] < 0 || op[0] >= s[0] || op[1] >= s[1] {
		panic(fmt.Sprintf("layers: %v.Forward: bad stride, padding or output padding", c))
	}
	oh := (h-1)*s[0] - 2*p[0] + c.KernelH + op[0]
	ow := (w-1)*s[1] - 2*p[1] + c.KernelW + op[1]
	if h <= 0 || w <= 0 || oh <= 0 || ow <= 0 {
		panic(fmt.Sprintf("layers: %v.Forward: input shape %v gives an empty output", c, x.Shape))
	}
	return kernels.ConvGeom{C: c.Out, H: oh, W: ow, KH: c.KernelH, KW: c.KernelW, SH: s[0], SW: s[1], PH: p[0], PW: p[1]}
}

// Forward returns the transposed convolution of x, of shape [B, In, H, W]; the
// result has shape [B, Out, OH, OW].
func (c *ConvTranspose2D) Forward(x *Tensor) *Tensor {
	g := c.geometry(x)
	c.x, c.geom, c.batch = x, g, x.Shape[0]
	k, n := g.Rows(), c.batch*x.Shape[2]*x.Shape[3]
	c.xT = c.tr.toInner(x, &c.xBuf)
	c.y.Resize(c.batch, c.Out, g.H, g.W)
	c.yT = c.tr.innerOutput(&c.y, c.innerOut, &c.yBuf)
	if c.Bias != nil {
		fillChannels(c.yT, c.Bias.Value.Data)
	} else {
		clear(c.yT)
	}
	if c.direct() {
		c.dc.prepare(x.Shape[2], x.Shape[3], c.batch, c.directPlans)
		c.dc.correlate(&c.dc.fwd, c.yT, c.xT, c.Weight.Value.Data)
	} else {
		c.col = growBuffer(c.col, c.bands.first(k, x.Shape[2], x.Shape[3]*c.batch))
		c.w.prepare(&c.bands, true, k, c.In, c.Weight.Value.Data)
		for ; c.bands.more(); c.bands.next() {
			cn, off := c.bands.cols()
			c.w.times(cn, c.xT[off:], n, 0, c.col, cn)
			forUnits(c, convTCol2im, c.Out, k*cn, &c.wg)
		}
	}
	c.tr.fromInner(&c.y, c.yT)
	return &c.y
}

// Backward adds dL/dW = X·im2col(dy)ᵀ and dL/db to the gradients and returns
// dL/dx = W·im2col(dy) (nil when SkipInputGrad is set), for dy of the
// output's shape.
func (c *ConvTranspose2D) Backward(dy *Tensor) *Tensor {
	if c.x == nil {
		panic(fmt.Sprintf("layers: %v.Backward before Forward", c))
	}
	if !dy.SameShape(&c.y) {
		panic(fmt.Sprintf("layers: %v.Backward: gradient shape %v, want %v", c, dy.Shape, c.y.Shape))
	}
	g := c.geom
	k, n := g.Rows(), c.batch*c.x.Shape[2]*c.x.Shape[3]
	c.yT = c.tr.gradToInner(dy, &c.y, &c.yBuf)
	if c.Bias != nil {
		addChannelSums(c.Bias.Grad.Data, c.yT)
	}
	if !c.SkipInputGrad {
		c.dx.Resize(c.x.Shape...)
		c.dxT = c.tr.innerOutput(&c.dx, c.x.batchInner, &c.dxBuf)
	}
	if c.direct() {
		c.dc.grad(&c.dc.bwd, c.xT, c.yT, c.Weight.Grad.Data)
		if !c.SkipInputGrad {
			clear(c.dxT)
			c.dc.correlate(&c.dc.bwd, c.dxT, c.yT, c.Weight.Value.Data)
		}
	} else {
		c.col = growBuffer(c.col, c.bands.first(k, c.x.Shape[2], c.x.Shape[3]*c.batch))
		if !c.SkipInputGrad {
			c.w.prepare(&c.bands, false, c.In, k, c.Weight.Value.Data)
		}
		for ; c.bands.more(); c.bands.next() {
			cn, off := c.bands.cols()
			forUnits(c, convTIm2col, c.Out, k*cn, &c.wg)
			linalg.Sgemm(false, true, c.In, k, cn, 1, c.xT[off:], n, c.col, cn, 1, c.Weight.Grad.Data, k)
			if !c.SkipInputGrad {
				c.w.times(cn, c.col, cn, 0, c.dxT[off:], n)
			}
		}
	}
	if c.SkipInputGrad {
		return nil
	}
	c.tr.fromInner(&c.dx, c.dxT)
	return &c.dx
}

// The steps of ConvTranspose2D that run over its output channels, whose
// rows of the im2col matrix and planes of the output no other channel
// touches: over the band of input rows in progress, whose matrix c.col holds.
const (
	convTCol2im = iota // yT[o] += col2im(col[o's rows])
	convTIm2col        // col[o's rows] = im2col(yT[o])
)

func (c *ConvTranspose2D) runRange(step, lo, hi int) {
	cn, _ := c.bands.cols()
	chans, rows, plane := channelBlock(c.geom, lo, hi, c.batch, cn)
	switch step {
	case convTCol2im:
		kernels.Col2imBatchRows(chans, c.batch, c.col[rows:], cn, c.yT[lo*plane:], c.bands.lo, c.bands.hi)
	case convTIm2col:
		kernels.Im2colBatchRows(chans, c.batch, c.yT[lo*plane:], c.col[rows:], cn, c.bands.lo, c.bands.hi)
	}
}

func (c *ConvTranspose2D) takesBatchInner() bool          { return true }
func (c *ConvTranspose2D) setBatchInnerOutput(inner bool) { c.innerOut = inner }

// Params returns the weight and, if the layer has one, the bias.
func (c *ConvTranspose2D) Params() []*Param {
	if c.Bias == nil {
		return []*Param{c.Weight}
	}
	return []*Param{c.Weight, c.Bias}
}

// String describes the layer as PyTorch prints it.
func (c *ConvTranspose2D) String() string {
	return fmt.Sprintf("ConvTranspose2d(%d, %d, kernel_size=(%d, %d), stride=(%d, %d), padding=(%d, %d), output_padding=(%d, %d), bias=%v)",
		c.In, c.Out, c.KernelH, c.KernelW, c.Stride[0], c.Stride[1], c.Padding[0], c.Padding[1],
		c.OutputPadding[0], c.OutputPadding[1], c.Bias != nil)
}
