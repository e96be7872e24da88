package layers

import (
	"sync"

	"github.com/rankae/rankae/kernels"
)

// The direct convolution of the stride-1 layers with one output channel (the
// RRAE decoder's last Conv2D, the IRMAE decoder's last ConvTranspose2D):
// there the GEMM has a single row, a micro-tile 1/MR full, and the im2col
// matrix, In·KH·KW times the image, goes through memory twice. With the
// batch innermost, each tap (c, i, j) of a stride-1 kernel is instead one
// shift of whole image rows, an offset into the input, and one call of
// kernels.CorrelateTaps runs every tap over a block of output rows.
//
// The three passes of both layers are correlations of this one form
//
//	out[u, r, s, :] += Σ_{v,i,j} T[u, v, i, j] · in[v, r+i−ph, s+j−pw, :]
//
// (or its weight gradient, kernels.CorrelateTapsGrad), with T the weight
// reindexed, flipped for the adjoint. A directPlan holds one such
// correlation, the output split into regions whose pixels take the same
// taps, those whose input pixel lies inside the input: the zero padding is
// never formed.

// convDirectMaxOut is the number of output channels up to which a stride-1
// convolution runs directly.
const convDirectMaxOut = 1

// directPlan is one correlation of batch-innermost planes of nb values per
// pixel: u planes of outH×outW out of v planes of inH×inW.
type directPlan struct {
	u, v             int
	outH, outW       int
	inH, inW         int
	kh, kw, ph, pw   int
	nb               int
	regions          []directRegion
	rowUnits, planeU int // units of a correlate pass: u·outH rows; of a gradient pass: u·v planes
}

// directRegion is a block of output pixels that take the same taps: the
// kernel rows [i0, i1) and columns [j0, j1) of every input plane.
type directRegion struct {
	r0, r1, s0, s1 int
	i0, i1, j0, j1 int
	offs           []int     // per tap (v, i, j), v outermost: offset of in[v, r0+i−ph, s0+j−pw, 0]
	index          []int     // per (u, tap): T[u, tap]'s element of the weight
	w, g           []float32 // per (u, tap): the weights gathered, the gradient's sums
}

// taps returns the taps of one input plane that the region takes.
func (reg *directRegion) taps() int { return (reg.i1 - reg.i0) * (reg.j1 - reg.j0) }

// validRuns splits [0, n) into the runs of outputs t whose kernel positions
// k ∈ [0, size) with 0 ≤ t+k−pad < in are the same [lo, hi), dropping runs
// that reach no input.
func validRuns(n, size, pad, in int) (runs [][4]int) {
	for t := 0; t < n; {
		lo, hi := max(0, pad-t), min(size, in+pad-t)
		end := t + 1
		for end < n && max(0, pad-end) == lo && min(size, in+pad-end) == hi {
			end++
		}
		if lo < hi {
			runs = append(runs, [4]int{t, end, lo, hi})
		}
		t = end
	}
	return runs
}

// newDirectPlan returns the plan of a correlation; weightIndex maps a tap
// T[u, v, i, j] to its element of the weight.
func newDirectPlan(u, v, inH, inW, outH, outW, kh, kw, ph, pw, nb int, weightIndex func(u, v, i, j int) int) directPlan {
	p := directPlan{u: u, v: v, outH: outH, outW: outW, inH: inH, inW: inW, kh: kh, kw: kw, ph: ph, pw: pw, nb: nb,
		rowUnits: u * outH, planeU: u * v}
	for _, rr := range validRuns(outH, kh, ph, inH) {
		for _, cr := range validRuns(outW, kw, pw, inW) {
			reg := directRegion{r0: rr[0], r1: rr[1], i0: rr[2], i1: rr[3], s0: cr[0], s1: cr[1], j0: cr[2], j1: cr[3]}
			taps := reg.taps()
			reg.offs = make([]int, 0, v*taps)
			for c := 0; c < v; c++ {
				for i := reg.i0; i < reg.i1; i++ {
					for j := reg.j0; j < reg.j1; j++ {
						reg.offs = append(reg.offs, ((c*inH+reg.r0+i-ph)*inW+reg.s0+j-pw)*nb)
					}
				}
			}
			reg.index = make([]int, 0, u*v*taps)
			for o := 0; o < u; o++ {
				for c := 0; c < v; c++ {
					for i := reg.i0; i < reg.i1; i++ {
						for j := reg.j0; j < reg.j1; j++ {
							reg.index = append(reg.index, weightIndex(o, c, i, j))
						}
					}
				}
			}
			reg.w = make([]float32, len(reg.index))
			reg.g = make([]float32, len(reg.index))
			p.regions = append(p.regions, reg)
		}
	}
	return p
}

// directConv runs a layer's correlations, spread over the cores.
type directConv struct {
	fwd, bwd directPlan
	shape    [3]int // the input's H, W and batch the plans are for

	plan    *directPlan // the pass in progress
	out, in []float32
	wg      sync.WaitGroup
}

// The passes of a directConv.
const (
	directCorrelate = iota // units are output rows of the u planes
	directGrad             // units are (u, v) pairs of planes
)

// prepare builds the plans for inputs of h×w and a batch of nb unless they
// are built already; build returns them.
func (d *directConv) prepare(h, w, nb int, build func() (fwd, bwd directPlan)) {
	if shape := [3]int{h, w, nb}; d.shape != shape {
		d.fwd, d.bwd = build()
		d.shape = shape
	}
}

// correlate adds to out the correlation of in under plan p with the taps
// drawn from weight.
func (d *directConv) correlate(p *directPlan, out, in, weight []float32) {
	for r := range p.regions {
		reg := &p.regions[r]
		for q, k := range reg.index {
			reg.w[q] = weight[k]
		}
	}
	d.plan, d.out, d.in = p, out, in
	forUnits(d, directCorrelate, p.rowUnits, p.u*p.v*p.outH*p.outW*p.kh*p.kw*p.nb, &d.wg)
}

// grad adds to grad, the weight's gradient, plan p's tap sums of out (the
// gradient of the plan's output, or for a transposed convolution its input)
// with in.
func (d *directConv) grad(p *directPlan, out, in, grad []float32) {
	for r := range p.regions {
		clear(p.regions[r].g)
	}
	d.plan, d.out, d.in = p, out, in
	forUnits(d, directGrad, p.planeU, p.u*p.v*p.outH*p.outW*p.kh*p.kw*p.nb, &d.wg)
	for r := range p.regions {
		reg := &p.regions[r]
		for q, k := range reg.index {
			grad[k] += reg.g[q]
		}
	}
}

func (d *directConv) runRange(step, lo, hi int) {
	p := d.plan
	ldo, ldi := p.outW*p.nb, p.inW*p.nb
	oplane := p.outH * ldo
	switch step {
	case directCorrelate:
		for lo < hi {
			u, ra := lo/p.outH, lo%p.outH
			rb := min(p.outH, ra+hi-lo)
			for r := range p.regions {
				reg := &p.regions[r]
				r0, r1 := max(reg.r0, ra), min(reg.r1, rb)
				if r0 >= r1 {
					continue
				}
				taps := len(reg.offs)
				kernels.CorrelateTaps(d.out[u*oplane+r0*ldo+reg.s0*p.nb:], ldo, d.in[(r0-reg.r0)*ldi:], ldi,
					reg.w[u*taps:(u+1)*taps], reg.offs, r1-r0, (reg.s1-reg.s0)*p.nb)
			}
			lo += rb - ra
		}
	case directGrad:
		for unit := lo; unit < hi; unit++ {
			u, v := unit/p.v, unit%p.v
			for r := range p.regions {
				reg := &p.regions[r]
				taps := reg.taps()
				g := reg.g[(u*p.v+v)*taps:][:taps]
				kernels.CorrelateTapsGrad(g, d.out[u*oplane+reg.r0*ldo+reg.s0*p.nb:], ldo, d.in, ldi,
					reg.offs[v*taps:(v+1)*taps], reg.r1-reg.r0, (reg.s1-reg.s0)*p.nb)
			}
		}
	}
}

// Conv2D's direct passes: the forward correlates x with W; dL/dx correlates
// dL/dy, padded by KH−1−PH, with W flipped and its channel axes swapped; and
// dL/dW is the forward plan's tap sums of dL/dy with x.

// direct reports whether c runs as a direct convolution.
func (c *Conv2D) direct() bool {
	return c.Out <= convDirectMaxOut && c.Stride == [2]int{1, 1}
}

func (c *Conv2D) directPlans() (fwd, bwd directPlan) {
	g := c.geom
	in, kh, kw := c.In, c.KernelH, c.KernelW
	oh, ow := g.OutH(), g.OutW()
	fwd = newDirectPlan(c.Out, in, g.H, g.W, oh, ow, kh, kw, g.PH, g.PW, c.batch,
		func(o, ch, i, j int) int { return ((o*in+ch)*kh+i)*kw + j })
	bwd = newDirectPlan(in, c.Out, oh, ow, g.H, g.W, kh, kw, kh-1-g.PH, kw-1-g.PW, c.batch,
		func(ch, o, i, j int) int { return ((o*in+ch)*kh+kh-1-i)*kw + kw - 1 - j })
	return fwd, bwd
}

// ConvTranspose2D's direct passes, stride 1: the forward correlates x,
// padded by KH−1−PH, with W flipped and its channel axes swapped; dL/dx
// correlates dL/dy with W; and dL/dW is the backward plan's tap sums of x
// with dL/dy.

// direct reports whether c runs as a direct convolution.
func (c *ConvTranspose2D) direct() bool {
	return c.Out <= convDirectMaxOut && c.Stride == [2]int{1, 1}
}

func (c *ConvTranspose2D) directPlans() (fwd, bwd directPlan) {
	g := c.geom // the adjoint convolution: g.H×g.W is the output, the input is h×w
	out, kh, kw := c.Out, c.KernelH, c.KernelW
	h, w := c.x.Shape[2], c.x.Shape[3]
	fwd = newDirectPlan(out, c.In, h, w, g.H, g.W, kh, kw, kh-1-g.PH, kw-1-g.PW, c.batch,
		func(o, ch, i, j int) int { return ((ch*out+o)*kh+kh-1-i)*kw + kw - 1 - j })
	bwd = newDirectPlan(c.In, out, g.H, g.W, h, w, kh, kw, g.PH, g.PW, c.batch,
		func(ch, o, i, j int) int { return ((ch*out+o)*kh+i)*kw + j })
	return fwd, bwd
}
