package layers

import "github.com/rankae/rankae/kernels"

// The direct convolution of layers with one output channel and stride 1 (the
// RRAE decoder's last Conv2D): there im2col and GEMM are the wrong tools, as
// the GEMM has a single row (a micro-tile 1/MR full) and the im2col matrix,
// In·KH·KW times larger than the image, goes through memory twice. Instead
// each kernel row (c, i) is one correlation of an input row with its KW taps
// per output row (kernels.CorrelateRow; CorrelateRowGrad for dW), on rows
// padded with PW zeros on each side; the input gradient is the same
// correlation of zero-padded dy rows with the taps reversed.

// convDirectMaxOut is the number of output channels up to which a stride-1
// Conv2D runs directly.
const convDirectMaxOut = 1

// direct reports whether c runs as a direct convolution.
func (c *Conv2D) direct() bool {
	return c.Out <= convDirectMaxOut && c.Stride == [2]int{1, 1}
}

// The steps of the direct Conv2D; the image steps run over images, the
// weight-gradient step over input channels.
const (
	convDirectForward = iota + 100 // y[b] = bias + Σ taps of x[b]
	convDirectGradX                // dx[b] = Σ taps of dy[b], shifted back
	convDirectGradW                // dW[:, c] += Σ_b taps' dot products
)

// padRow sets dst (zeroed first) to src shifted right by off: dst[t] =
// src[t−off] wherever that element exists.
func padRow(dst, src []float32, off int) {
	clear(dst)
	if lo, hi := max(0, off), min(len(dst), len(src)+off); lo < hi {
		copy(dst[lo:hi], src[lo-off:hi-off])
	}
}

// directScratch returns the floats of scratch a unit (an image or an input
// channel) of the direct steps needs: one input plane with padded rows, or
// one padded dy row.
func (c *Conv2D) directScratch() int {
	g := c.geom
	return max(g.H*(g.W+2*g.PW), g.W+g.KW-1)
}

// runDirect runs a direct step over the units [lo, hi). Output row r takes
// kernel row i from input row r+i−PH, where that row exists.
func (c *Conv2D) runDirect(step, lo, hi int) {
	g := c.geom
	oh, ow := g.OutH(), g.OutW()
	in, out, kh, kw := c.In, c.Out, c.KernelH, c.KernelW
	plane, oplane, wp := g.H*g.W, oh*ow, g.W+2*g.PW
	w := c.Weight.Value.Data
	rows := func(i int) (r0, r1 int) { return max(0, g.PH-i), min(oh, g.H+g.PH-i) }
	for u := lo; u < hi; u++ {
		scratch := c.work[u*c.directScratch() : (u+1)*c.directScratch()]
		// padPlane pads the rows of x[b, ch] into scratch, wp floats each.
		padPlane := func(b, ch int) []float32 {
			x, xp := c.x.Data[(b*in+ch)*plane:][:plane], scratch[:g.H*wp]
			for r := 0; r < g.H; r++ {
				padRow(xp[r*wp:(r+1)*wp], x[r*g.W:(r+1)*g.W], g.PW)
			}
			return xp
		}
		switch step {
		case convDirectForward:
			b := u
			y := c.y.Data[b*out*oplane : (b+1)*out*oplane]
			for o := 0; o < out; o++ {
				bv := float32(0)
				if c.Bias != nil {
					bv = c.Bias.Value.Data[o]
				}
				for k := range y[o*oplane : (o+1)*oplane] {
					y[o*oplane+k] = bv
				}
			}
			for ch := 0; ch < in; ch++ {
				xp := padPlane(b, ch)
				for o := 0; o < out; o++ {
					for i := 0; i < kh; i++ {
						taps := w[((o*in+ch)*kh+i)*kw:][:kw]
						r0, r1 := rows(i)
						for r := r0; r < r1; r++ {
							kernels.CorrelateRow(y[o*oplane+r*ow:][:ow], xp[(r+i-g.PH)*wp:][:wp], taps)
						}
					}
				}
			}
		case convDirectGradX:
			// A tap (i, j) adds w[i, j]·dy[r'−i+PH, s'−j+PW] to dx[r', s']: over
			// j, the correlation of the dy row shifted right by KW−1−PW with the
			// reversed taps.
			b := u
			dx := c.dx.Data[b*in*plane : (b+1)*in*plane]
			clear(dx)
			pad := scratch[:g.W+kw-1]
			for o := 0; o < out; o++ {
				dy := c.dy.Data[(b*out+o)*oplane:][:oplane]
				for r := 0; r < oh; r++ {
					padRow(pad, dy[r*ow:(r+1)*ow], kw-1-g.PW)
					for ch := 0; ch < in; ch++ {
						for i := 0; i < kh; i++ {
							if rr := r + i - g.PH; rr >= 0 && rr < g.H {
								kernels.CorrelateRow(dx[ch*plane+rr*g.W:][:g.W], pad, c.wflip[((o*in+ch)*kh+i)*kw:][:kw])
							}
						}
					}
				}
			}
		case convDirectGradW:
			ch := u
			for b := 0; b < c.batch; b++ {
				xp := padPlane(b, ch)
				for o := 0; o < out; o++ {
					dy := c.dy.Data[(b*out+o)*oplane:][:oplane]
					for i := 0; i < kh; i++ {
						grad := c.Weight.Grad.Data[((o*in+ch)*kh+i)*kw:][:kw]
						r0, r1 := rows(i)
						for r := r0; r < r1; r++ {
							kernels.CorrelateRowGrad(grad, dy[r*ow:(r+1)*ow], xp[(r+i-g.PH)*wp:][:wp])
						}
					}
				}
			}
		}
	}
}

// forwardDirect is Forward for a direct layer, c.x and c.geom set.
func (c *Conv2D) forwardDirect() *Tensor {
	checkNCHW("Conv2D (direct)", c.x)
	g := c.geom
	c.y.batchInner = false
	c.y.Resize(c.batch, c.Out, g.OutH(), g.OutW())
	c.work = growBuffer(c.work, c.batch*c.directScratch())
	forUnits(c, convDirectForward, c.batch, len(c.x.Data)*g.KH*g.KW, &c.wg)
	return &c.y
}

// backwardDirect is Backward for a direct layer, c.dy set.
func (c *Conv2D) backwardDirect() *Tensor {
	g := c.geom
	oplane := g.OutH() * g.OutW()
	if c.Bias != nil {
		db := c.Bias.Grad.Data
		for b := 0; b < c.batch; b++ {
			for o := range db {
				db[o] += kernels.Sum(c.dy.Data[(b*c.Out+o)*oplane : (b*c.Out+o+1)*oplane])
			}
		}
	}
	c.work = growBuffer(c.work, max(c.batch, c.In)*c.directScratch())
	work := len(c.x.Data) * g.KH * g.KW
	forUnits(c, convDirectGradW, c.In, work, &c.wg)
	if c.SkipInputGrad {
		return nil
	}
	c.dx.Resize(c.x.Shape...)
	// The taps of each kernel row reversed, for the input gradient.
	w := c.Weight.Value.Data
	c.wflip = growBuffer(c.wflip, len(w))
	for k := 0; k < len(w); k += g.KW {
		for j := 0; j < g.KW; j++ {
			c.wflip[k+j] = w[k+g.KW-1-j]
		}
	}
	forUnits(c, convDirectGradX, c.batch, work, &c.wg)
	return &c.dx
}
