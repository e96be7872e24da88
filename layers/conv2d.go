package layers

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/rankae/rankae/kernels"
	"github.com/rankae/rankae/linalg"
)

// Conv2D is PyTorch's nn.Conv2d (no dilation, no groups): a batch x of shape
// [B, In, H, W] gives y of shape [B, Out, OH, OW] with
//
//	y[b, o, oy, ox] = bias[o] + Σ_{c,i,j} W[o, c, i, j] · x[b, c, oy·sh − ph + i, ox·sw − pw + j]
//
// over the zero-padded input, OH = (H + 2·ph − KH)/sh + 1 and likewise OW.
//
// The batch runs as one GEMM: the im2col matrix of the whole batch, laid out
// with the batch innermost (batch_inner.go; channels spread over the cores),
// is multiplied by the weight by linalg.Sgemm, spreading the columns over
// the cores, and the [Out, OH·OW·B] product, the bias added, is transposed
// to NCHW. Backward is the same GEMM transposed both ways (weight gradient
// dY·colᵀ, input gradient Wᵀ·dY followed by col2im). A layer with one
// output channel and stride 1 runs as a direct convolution instead
// (conv_direct.go).
type Conv2D struct {
	In, Out          int
	KernelH, KernelW int
	Stride           [2]int // rows, columns; ≥ 1
	Padding          [2]int // rows, columns; zero padding on both sides

	Weight *Param // "weight", [Out, In, KernelH, KernelW]
	Bias   *Param // "bias", [Out]; nil for a layer without bias

	// SkipInputGrad, when set, makes Backward skip dL/dx and return nil: for
	// the first layer of a network, whose input needs no gradient.
	SkipInputGrad bool

	x     *Tensor // input of the last Forward
	geom  kernels.ConvGeom
	batch int
	xT    []float32 // [In·H·W, B]: x with the batch innermost (x.Data itself, or xBuf)
	col   []float32 // [In·KH·KW, band's columns]: im2col of x, a band of it (convBands); kept for Backward when one band is the whole
	prod  []float32 // [Out, OH·OW·B]: the output, then dL/dy, batch innermost (y or dy's data, or prodBuf)
	dcol  []float32 // [In·KH·KW, band's columns]: dL/dcol
	dxT   []float32 // [In·H·W, B]: dL/dx, batch innermost (dx.Data itself, or dxBuf)
	y, dx Tensor
	dc    directConv  // the direct layers' passes (conv_direct.go)
	bands convBands   // over the output rows
	w     bandWeights // W in Forward, Wᵀ in Backward

	xBuf, prodBuf, dxBuf []float32 // the layout changes' own buffers
	innerOut             bool      // give the output with the batch innermost (Sequential sets it)
	tr                   batchTranspose
	wg                   sync.WaitGroup
}

// NewConv2D returns a Conv2D layer with bias, a kh×kw kernel and the same
// stride and padding along both axes (set Stride and Padding to differ),
// initialised as PyTorch does: weight then bias from U(±1/√(in·kh·kw)), drawn
// from rng.
func NewConv2D(in, out, kh, kw, stride, padding int, rng *rand.Rand) *Conv2D {
	if in <= 0 || out <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || padding < 0 {
		panic(fmt.Sprintf("layers: Conv2D(%d, %d, kernel %d×%d, stride %d, padding %d): sizes and stride must be positive, padding not negative",
			in, out, kh, kw, stride, padding))
	}
	c := &Conv2D{
		In: in, Out: out, KernelH: kh, KernelW: kw,
		Stride: [2]int{stride, stride}, Padding: [2]int{padding, padding},
		Weight: NewParam("weight", out, in, kh, kw),
		Bias:   NewParam("bias", out),
	}
	c.Reset(rng)
	return c
}

// Reset draws the parameters again from PyTorch's default law: weight, then
// bias, from U(±1/√(In·KernelH·KernelW)).
func (c *Conv2D) Reset(rng *rand.Rand) {
	b := DefaultBound(c.In * c.KernelH * c.KernelW)
	InitUniform(c.Weight.Value, b, rng)
	if c.Bias != nil {
		InitUniform(c.Bias.Value, b, rng)
	}
}

// geometry returns the convolution of one image of x, panicking unless x is
// [B, In, H, W] with an output of at least one pixel.
func (c *Conv2D) geometry(x *Tensor) kernels.ConvGeom {
	if len(x.Shape) != 4 || x.Shape[1] != c.In {
		panic(fmt.Sprintf("layers: %v.Forward: input shape %v, want [B %d H W]", c, x.Shape, c.In))
	}
	g := kernels.ConvGeom{
		C: c.In, H: x.Shape[2], W: x.Shape[3], KH: c.KernelH, KW: c.KernelW,
		SH: c.Stride[0], SW: c.Stride[1], PH: c.Padding[0], PW: c.Padding[1],
	}
	if g.SH <= 0 || g.SW <= 0 || g.PH < 0 || g.PW < 0 || g.H+2*g.PH < g.KH || g.W+2*g.PW < g.KW {
		panic(fmt.Sprintf("layers: %v.Forward: input shape %v too small for the kernel (or bad stride/padding)", c, x.Shape))
	}
	return g
}

// Forward returns the convolution of x, of shape [B, In, H, W]; the result has
// shape [B, Out, OH, OW].
func (c *Conv2D) Forward(x *Tensor) *Tensor {
	g := c.geometry(x)
	c.x, c.geom, c.batch = x, g, x.Shape[0]
	oh, ow := g.OutH(), g.OutW()
	k, n := g.Rows(), c.batch*oh*ow
	c.xT = c.tr.toInner(x, &c.xBuf)
	c.y.Resize(c.batch, c.Out, oh, ow)
	c.prod = c.tr.innerOutput(&c.y, c.innerOut, &c.prodBuf)
	beta := float32(0)
	if c.Bias != nil {
		fillChannels(c.prod, c.Bias.Value.Data)
		beta = 1
	}
	if c.direct() {
		if c.Bias == nil {
			clear(c.prod)
		}
		c.dc.prepare(g.H, g.W, c.batch, c.directPlans)
		c.dc.correlate(&c.dc.fwd, c.prod, c.xT, c.Weight.Value.Data)
	} else {
		c.col = growBuffer(c.col, c.bands.first(k, oh, ow*c.batch))
		c.w.prepare(&c.bands, false, c.Out, k, c.Weight.Value.Data)
		for ; c.bands.more(); c.bands.next() {
			cn, off := c.bands.cols()
			forUnits(c, convIm2col, c.In, k*cn, &c.wg)
			c.w.times(cn, c.col, cn, beta, c.prod[off:], n)
		}
	}
	c.tr.fromInner(&c.y, c.prod)
	return &c.y
}

// Backward adds dL/dW = dY·colᵀ and dL/db to the gradients and returns
// dL/dx = col2im(Wᵀ·dY) (nil when SkipInputGrad is set), for dy of the
// output's shape.
func (c *Conv2D) Backward(dy *Tensor) *Tensor {
	if c.x == nil {
		panic(fmt.Sprintf("layers: %v.Backward before Forward", c))
	}
	g := c.geom
	oh, ow := g.OutH(), g.OutW()
	if !dy.SameShape(&c.y) {
		panic(fmt.Sprintf("layers: %v.Backward: gradient shape %v, want %v", c, dy.Shape, c.y.Shape))
	}
	k, n := g.Rows(), c.batch*oh*ow
	c.prod = c.tr.gradToInner(dy, &c.y, &c.prodBuf)
	if c.Bias != nil {
		addChannelSums(c.Bias.Grad.Data, c.prod)
	}
	if !c.SkipInputGrad {
		c.dx.Resize(c.x.Shape...)
		c.dxT = c.tr.innerOutput(&c.dx, c.x.batchInner, &c.dxBuf)
	}
	if c.direct() {
		c.dc.grad(&c.dc.fwd, c.prod, c.xT, c.Weight.Grad.Data)
		if !c.SkipInputGrad {
			clear(c.dxT)
			c.dc.correlate(&c.dc.bwd, c.dxT, c.prod, c.Weight.Value.Data)
		}
	} else {
		// Band by band, as Forward; a single band's matrix is still in c.col.
		single := c.bands.single()
		c.dcol = growBuffer(c.dcol, c.bands.first(k, oh, ow*c.batch))
		if !c.SkipInputGrad {
			c.w.prepare(&c.bands, true, k, c.Out, c.Weight.Value.Data)
		}
		for ; c.bands.more(); c.bands.next() {
			cn, off := c.bands.cols()
			if !single {
				forUnits(c, convIm2col, c.In, k*cn, &c.wg)
			}
			linalg.Sgemm(false, true, c.Out, k, cn, 1, c.prod[off:], n, c.col, cn, 1, c.Weight.Grad.Data, k)
			if !c.SkipInputGrad {
				c.w.times(cn, c.prod[off:], n, 0, c.dcol, cn)
				forUnits(c, convCol2im, c.In, k*cn, &c.wg)
			}
		}
	}
	if c.SkipInputGrad {
		return nil
	}
	c.tr.fromInner(&c.dx, c.dxT)
	return &c.dx
}

// The steps of Conv2D that run over its input channels, whose rows of the
// im2col matrix and planes of the input no other channel touches: over the
// band of output rows in progress, whose matrix c.col (c.dcol) holds.
const (
	convIm2col = iota // col[c's rows] = im2col(xT[c])
	convCol2im        // dxT[c] = col2im(dcol[c's rows])
)

func (c *Conv2D) runRange(step, lo, hi int) {
	cn, _ := c.bands.cols()
	chans, rows, plane := channelBlock(c.geom, lo, hi, c.batch, cn)
	switch step {
	case convIm2col:
		kernels.Im2colBatchRows(chans, c.batch, c.xT[lo*plane:], c.col[rows:], cn, c.bands.lo, c.bands.hi)
	case convCol2im:
		if c.bands.lo == 0 {
			clear(c.dxT[lo*plane : hi*plane])
		}
		kernels.Col2imBatchRows(chans, c.batch, c.dcol[rows:], cn, c.dxT[lo*plane:], c.bands.lo, c.bands.hi)
	}
}

func (c *Conv2D) takesBatchInner() bool          { return true }
func (c *Conv2D) setBatchInnerOutput(inner bool) { c.innerOut = inner }

// Params returns the weight and, if the layer has one, the bias.
func (c *Conv2D) Params() []*Param {
	if c.Bias == nil {
		return []*Param{c.Weight}
	}
	return []*Param{c.Weight, c.Bias}
}

// String describes the layer as PyTorch prints it.
func (c *Conv2D) String() string {
	return fmt.Sprintf("Conv2d(%d, %d, kernel_size=(%d, %d), stride=(%d, %d), padding=(%d, %d), bias=%v)",
		c.In, c.Out, c.KernelH, c.KernelW, c.Stride[0], c.Stride[1], c.Padding[0], c.Padding[1], c.Bias != nil)
}
