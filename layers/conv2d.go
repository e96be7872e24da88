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
// The batch runs as one GEMM: the im2col matrices of the images sit side by
// side in one [In·KH·KW, B·OH·OW] matrix (the images spread over the cores),
// and linalg.Sgemm multiplies it by the weight, spreading the columns over the
// cores; the [Out, B·OH·OW] product is then permuted to NCHW with the bias
// added. Backward is the same GEMM transposed both ways (weight gradient
// dY·colᵀ, input gradient Wᵀ·dY followed by col2im).
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
	col   []float32 // [In·KH·KW, B·P], P = OH·OW: im2col of x, kept for Backward
	prod  []float32 // [Out, B·P]: the GEMM's product, then dL/dy in the same layout
	dcol  []float32 // [In·KH·KW, B·P]: dL/dcol
	dy    *Tensor   // the gradient Backward is working on
	y, dx Tensor
	work  []float32 // B·geom.WorkLen(): each image's scratch for im2col and col2im (direct: directScratch a unit)
	wflip []float32 // direct layers: the weight with each kernel row reversed
	wg    sync.WaitGroup
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
	if c.direct() {
		return c.forwardDirect()
	}
	k, n := g.Rows(), c.batch*oh*ow
	c.col = growBuffer(c.col, k*n)
	c.work = growBuffer(c.work, c.batch*g.WorkLen())
	c.prod = growBuffer(c.prod, c.Out*n)
	forImages(c, convIm2col, c.batch, k*n, &c.wg)
	linalg.Sgemm(false, false, c.Out, n, k, 1, c.Weight.Value.Data, k, c.col, n, 0, c.prod, n)
	c.y.Resize(c.batch, c.Out, oh, ow)
	forImages(c, convOutput, c.batch, c.Out*n, &c.wg)
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
	c.dy = dy
	if c.direct() {
		return c.backwardDirect()
	}
	forImages(c, convGradToCols, c.batch, c.Out*n, &c.wg)
	if c.Bias != nil {
		db := c.Bias.Grad.Data
		for o := range db {
			db[o] += kernels.Sum(c.prod[o*n : (o+1)*n])
		}
	}
	linalg.Sgemm(false, true, c.Out, k, n, 1, c.prod, n, c.col, n, 1, c.Weight.Grad.Data, k)
	if c.SkipInputGrad {
		return nil
	}
	c.dcol = growBuffer(c.dcol, k*n)
	linalg.Sgemm(true, false, k, n, c.Out, 1, c.Weight.Value.Data, k, c.prod, n, 0, c.dcol, n)
	c.dx.Resize(c.x.Shape...)
	forImages(c, convCol2im, c.batch, k*n, &c.wg)
	return &c.dx
}

// The steps of Conv2D that run image by image.
const (
	convIm2col     = iota // col[:, b·P:] = im2col(x[b])
	convOutput            // y[b, o] = prod[o, b·P:] + bias[o]
	convGradToCols        // prod[o, b·P:] = dy[b, o]
	convCol2im            // dx[b] = col2im(dcol[:, b·P:])
)

func (c *Conv2D) runRange(step, lo, hi int) {
	if step >= convDirectForward {
		c.runDirect(step, lo, hi)
		return
	}
	g := c.geom
	p := g.OutH() * g.OutW()
	n := c.batch * p
	for b := lo; b < hi; b++ {
		switch step {
		case convIm2col:
			kernels.Im2col(g, c.x.Data[b*g.ImageLen():], c.col[b*p:], n, c.work[b*g.WorkLen():])
		case convOutput:
			var bias []float32
			if c.Bias != nil {
				bias = c.Bias.Value.Data
			}
			fromChannelMajor(c.y.Data[b*c.Out*p:(b+1)*c.Out*p], c.prod[b*p:], n, p, bias)
		case convGradToCols:
			toChannelMajor(c.prod[b*p:], n, c.dy.Data[b*c.Out*p:(b+1)*c.Out*p], p)
		case convCol2im:
			img := c.dx.Data[b*g.ImageLen() : (b+1)*g.ImageLen()]
			clear(img)
			kernels.Col2im(g, c.dcol[b*p:], n, img, c.work[b*g.WorkLen():])
		}
	}
}

// fromChannelMajor copies one image out of a channel-major matrix: for each
// channel o, img[o·p : o·p+p] = m[o·ldm : o·ldm+p] + bias[o] (no bias when
// bias is nil).
func fromChannelMajor(img, m []float32, ldm, p int, bias []float32) {
	for o := 0; o < len(img)/p; o++ {
		dst, src := img[o*p:(o+1)*p], m[o*ldm:o*ldm+p]
		if bias == nil {
			copy(dst, src)
			continue
		}
		bv := bias[o]
		for i, v := range src {
			dst[i] = v + bv
		}
	}
}

// toChannelMajor copies one image into a channel-major matrix: for each
// channel o, m[o·ldm : o·ldm+p] = img[o·p : o·p+p].
func toChannelMajor(m []float32, ldm int, img []float32, p int) {
	for o := 0; o < len(img)/p; o++ {
		copy(m[o*ldm:o*ldm+p], img[o*p:(o+1)*p])
	}
}

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
