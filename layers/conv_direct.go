package layers

import "github.com/rankae/rankae/kernels"

// The direct convolution of layers with one output channel and stride 1 (the
// RRAE decoder's last Conv2D): there im2col and GEMM are the wrong tools, as
// the GEMM has a single row (a micro-tile 1/MR full) and the im2col matrix,
// In·KH·KW times larger than the image, goes through memory twice. Instead
// every kernel tap (c, i, j) is one shifted multiply-add of an image plane
// into another: without column padding a whole kernel row at a time
// (kernels.CorrelateRow, CorrelateRowGrad), otherwise tap by tap on
// kernels.Axpy and kernels.Dot; the input gradient always tap by tap.

// convDirectMaxOut is the number of output channels up to which a stride-1
// Conv2D runs directly.
const convDirectMaxOut = 1

// planeShift is the offset between two planes in a tap: dst[r, s] pairs
// with src[r+dr, s+ds], over the rows and columns where both exist.
type planeShift struct {
	dh, dw int // dst plane
	sh, sw int // src plane
	dr, ds int
}

// rows returns the dst rows [r0, r1) whose src row r+dr exists, and the
// columns [s0, s1) likewise.
func (p planeShift) ranges() (r0, r1, s0, s1 int) {
	r0, r1 = max(0, -p.dr), min(p.dh, p.sh-p.dr)
	s0, s1 = max(0, -p.ds), min(p.dw, p.sw-p.ds)
	return r0, r1, s0, s1
}

// axpy adds alpha·src[r+dr, s+ds] to dst[r, s] wherever both exist.
func (p planeShift) axpy(alpha float32, src, dst []float32) {
	r0, r1, s0, s1 := p.ranges()
	if s0 >= s1 {
		return
	}
	for r := r0; r < r1; r++ {
		srow := src[(r+p.dr)*p.sw+s0+p.ds : (r+p.dr)*p.sw+s1+p.ds]
		kernels.Axpy(alpha, srow, dst[r*p.dw+s0:r*p.dw+s1])
	}
}

// dot returns Σ dst[r, s]·src[r+dr, s+ds] over the pairs that exist.
func (p planeShift) dot(src, dst []float32) float32 {
	r0, r1, s0, s1 := p.ranges()
	var sum float32
	if s0 >= s1 {
		return 0
	}
	for r := r0; r < r1; r++ {
		srow := src[(r+p.dr)*p.sw+s0+p.ds : (r+p.dr)*p.sw+s1+p.ds]
		sum += kernels.Dot(srow, dst[r*p.dw+s0:r*p.dw+s1])
	}
	return sum
}

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

// runDirect runs a direct step over the units [lo, hi).
func (c *Conv2D) runDirect(step, lo, hi int) {
	g := c.geom
	oh, ow := g.OutH(), g.OutW()
	in, out, kh, kw := c.In, c.Out, c.KernelH, c.KernelW
	plane, oplane := g.H*g.W, oh*ow
	w := c.Weight.Value.Data
	// tap returns the shift of tap (i, j): output (r, s) reads input (r+i−ph, s+j−pw).
	tap := func(i, j int) planeShift {
		return planeShift{dh: oh, dw: ow, sh: g.H, sw: g.W, dr: i - g.PH, ds: j - g.PW}
	}
	for u := lo; u < hi; u++ {
		switch step {
		case convDirectForward:
			b := u
			for o := 0; o < out; o++ {
				y := c.y.Data[(b*out+o)*oplane : (b*out+o+1)*oplane]
				bv := float32(0)
				if c.Bias != nil {
					bv = c.Bias.Value.Data[o]
				}
				for k := range y {
					y[k] = bv
				}
				for ch := 0; ch < in; ch++ {
					x := c.x.Data[(b*in+ch)*plane : (b*in+ch+1)*plane]
					for i := 0; i < kh; i++ {
						taps := w[((o*in+ch)*kh+i)*kw:][:kw]
						if g.PW == 0 { // every tap covers whole output rows
							r0, r1, _, _ := tap(i, 0).ranges()
							for r := r0; r < r1; r++ {
								kernels.CorrelateRow(y[r*ow:(r+1)*ow], x[(r+i-g.PH)*g.W:][:g.W], taps)
							}
							continue
						}
						for j, wj := range taps {
							tap(i, j).axpy(wj, x, y)
						}
					}
				}
			}
		case convDirectGradX:
			b := u
			if c.rowGradX() {
				c.gradXRows(b)
				continue
			}
			for ch := 0; ch < in; ch++ {
				dx := c.dx.Data[(b*in+ch)*plane : (b*in+ch+1)*plane]
				clear(dx)
				for o := 0; o < out; o++ {
					dy := c.dy.Data[(b*out+o)*oplane : (b*out+o+1)*oplane]
					for i := 0; i < kh; i++ {
						for j := 0; j < kw; j++ {
							// dx[r', s'] += w·dy[r'−dr, s'−ds]: the tap seen from the input.
							t := tap(i, j)
							back := planeShift{dh: g.H, dw: g.W, sh: oh, sw: ow, dr: -t.dr, ds: -t.ds}
							back.axpy(w[((o*in+ch)*kh+i)*kw+j], dy, dx)
						}
					}
				}
			}
		case convDirectGradW:
			ch := u
			dw := c.Weight.Grad.Data
			for o := 0; o < out; o++ {
				for i := 0; i < kh; i++ {
					grad := dw[((o*in+ch)*kh+i)*kw:][:kw]
					for b := 0; b < c.batch; b++ {
						dy := c.dy.Data[(b*out+o)*oplane : (b*out+o+1)*oplane]
						x := c.x.Data[(b*in+ch)*plane : (b*in+ch+1)*plane]
						if g.PW == 0 {
							r0, r1, _, _ := tap(i, 0).ranges()
							for r := r0; r < r1; r++ {
								kernels.CorrelateRowGrad(grad, dy[r*ow:(r+1)*ow], x[(r+i-g.PH)*g.W:][:g.W])
							}
							continue
						}
						for j := range grad {
							grad[j] += tap(i, j).dot(x, dy)
						}
					}
				}
			}
		}
	}
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
	work := len(c.x.Data) * g.KH * g.KW
	forImages(c, convDirectGradW, c.In, work, &c.wg)
	if c.SkipInputGrad {
		return nil
	}
	c.dx.Resize(c.x.Shape...)
	if c.rowGradX() {
		// The taps reversed, and a padded dy row per image.
		c.wflip = growBuffer(c.wflip, len(c.Weight.Value.Data))
		w := c.Weight.Value.Data
		for k := 0; k < len(w); k += g.KW {
			for j := 0; j < g.KW; j++ {
				c.wflip[k+j] = w[k+g.KW-1-j]
			}
		}
		c.work = growBuffer(c.work, c.batch*(g.W+g.KW-1))
	}
	forImages(c, convDirectGradX, c.batch, work, &c.wg)
	return &c.dx
}

// rowGradX reports whether the input gradient runs a kernel row at a time:
// when the column padding leaves every tap some output column (pw < KW).
func (c *Conv2D) rowGradX() bool { return c.geom.PW < c.geom.KW }

// gradXRows computes dx[b] a kernel row at a time. A tap (i, j) adds
// w[i, j]·dy[r'−i+ph, s'−j+pw] to dx[r', s']: over j that is the correlation
// of the dy row, shifted right by KW−1−pw into a zero-padded copy, with the
// reversed taps.
func (c *Conv2D) gradXRows(b int) {
	g := c.geom
	oh, ow := g.OutH(), g.OutW()
	in, out, kh, kw := c.In, c.Out, c.KernelH, c.KernelW
	plane, oplane := g.H*g.W, oh*ow
	dx := c.dx.Data[b*in*plane : (b+1)*in*plane]
	clear(dx)
	pad := c.work[b*(g.W+kw-1) : (b+1)*(g.W+kw-1)]
	off := kw - 1 - g.PW
	for o := 0; o < out; o++ {
		dy := c.dy.Data[(b*out+o)*oplane : (b*out+o+1)*oplane]
		for r := 0; r < oh; r++ {
			clear(pad)
			// pad[t] = dy[r, t−off] where that column exists.
			lo, hi := max(0, off), min(len(pad), ow+off)
			if lo < hi {
				copy(pad[lo:hi], dy[r*ow+lo-off:r*ow+hi-off])
			}
			for ch := 0; ch < in; ch++ {
				for i := 0; i < kh; i++ {
					if rr := r + i - g.PH; rr >= 0 && rr < g.H {
						kernels.CorrelateRow(dx[ch*plane+rr*g.W:][:g.W], pad, c.wflip[((o*in+ch)*kh+i)*kw:][:kw])
					}
				}
			}
		}
	}
}
