package layers

import (
	"fmt"
	"slices"
	"sync"

	"github.com/rankae/rankae/kernels"
	"github.com/rankae/rankae/linalg"
)

// DataParallel runs replicas of a layer on contiguous parts of the batch at
// once, one goroutine each, the parameters shared: batch parallelism, for
// networks whose layers are too small to keep several cores busy one product
// at a time (the paper architectures at batch 32). A replica's layers split
// their own work only over the helpers the replicas leave free
// (linalg.AcquireHelpers): none, when there are as many parts as threads.
// The result is the wrapped layer's on the whole
// batch, up to the order in which the parameter gradients are summed; the
// layer must treat the images of a batch independently (no batch statistics).
type DataParallel struct {
	build    func() Layer
	replicas []Layer
	params   [][]*Param // each replica's, in the same order
	parts    int        // of the last Forward, 0 before the first
	batch    int        // the last Forward's
	x, dy    []Tensor   // the parts of the input and of the output gradient
	ys, dxs  []*Tensor  // the replicas' outputs and input gradients
	y, dx    Tensor     // gathered
	wg       sync.WaitGroup
}

// dataParallelMinPart is the fewest images a replica is given: below that a
// replica's products are too thin to pay for its start and the gradient sum.
const dataParallelMinPart = 8

// NewDataParallel wraps layer, whose parameters the replicas share. build
// returns a layer of the same structure (its parameter values are discarded):
// replicas are built as helpers become free, up to one per
// dataParallelMinPart images. Layers must read their parameters through
// Param.Value at every call, as all in this package do.
func NewDataParallel(layer Layer, build func() Layer) *DataParallel {
	return &DataParallel{build: build, replicas: []Layer{layer}, params: [][]*Param{layer.Params()}}
}

// Layer returns the wrapped layer (the first replica), whose parameters are
// the model's.
func (d *DataParallel) Layer() Layer { return d.replicas[0] }

// Params returns the wrapped layer's parameters.
func (d *DataParallel) Params() []*Param { return d.params[0] }

func (d *DataParallel) String() string { return fmt.Sprintf("DataParallel(%v)", d.replicas[0]) }

const passReduce = 2 // runRange's step summing the replicas' gradients

// Forward splits x [B, …] into as many parts as there are helpers free (one
// per dataParallelMinPart images at most), runs the replicas on them at once
// and returns their outputs gathered, which belong to d.
func (d *DataParallel) Forward(x *Tensor) *Tensor {
	if len(x.Shape) == 0 || x.batchInner {
		panic(fmt.Sprintf("layers: DataParallel.Forward: input %v is not a batch", x))
	}
	b := x.Shape[0]
	d.batch = b
	helpers := linalg.AcquireHelpers(b/dataParallelMinPart - 1)
	defer linalg.ReleaseHelpers(helpers)
	d.parts = 1 + helpers
	d.grow(d.parts)
	splitParts(d.x[:d.parts], x)
	runRanges(d, passForward, d.parts, d.parts, &d.wg)
	if d.parts == 1 {
		return d.ys[0]
	}
	return gatherParts(&d.y, d.ys[:d.parts], b)
}

// Backward runs the replicas back on their parts of dy, adds their parameter
// gradients into the wrapped layer's and returns dL/dx gathered (nil when the
// layer returns none).
func (d *DataParallel) Backward(dy *Tensor) *Tensor {
	if d.parts == 0 || len(dy.Shape) == 0 || dy.Shape[0] != d.batch {
		panic(fmt.Sprintf("layers: DataParallel.Backward: gradient %v for a Forward of batch %d", dy, d.batch))
	}
	splitParts(d.dy[:d.parts], dy)
	helpers := linalg.AcquireHelpers(d.parts - 1)
	defer linalg.ReleaseHelpers(helpers)
	runRanges(d, passBackward, d.parts, 1+helpers, &d.wg)
	if d.parts > 1 {
		runRanges(d, passReduce, paramsLen(d.params[0]), 1+helpers, &d.wg)
	}
	if d.parts == 1 || d.dxs[0] == nil {
		return d.dxs[0]
	}
	return gatherParts(&d.dx, d.dxs[:d.parts], d.batch)
}

// runRange runs the replicas lo…hi−1 forward or backward, or sums the
// elements lo…hi−1 of the replicas' gradients (all parameters end to end)
// into the first's, clearing theirs for the next Backward.
func (d *DataParallel) runRange(step, lo, hi int) {
	switch step {
	case passForward:
		for i := lo; i < hi; i++ {
			d.ys[i] = d.replicas[i].Forward(&d.x[i])
		}
	case passBackward:
		for i := lo; i < hi; i++ {
			d.dxs[i] = d.replicas[i].Backward(&d.dy[i])
		}
	case passReduce:
		eachParamRange(d.params[0], lo, hi, func(j, a, b, _ int) {
			sum := d.params[0][j].Grad.Data[a:b]
			for _, ps := range d.params[1:d.parts] {
				g := ps[j].Grad.Data[a:b]
				kernels.Add(sum, sum, g)
				clear(g)
			}
		})
	}
}

// grow builds replicas until there are n, their parameter values the first's.
func (d *DataParallel) grow(n int) {
	for len(d.replicas) < n {
		r := d.build()
		ps := r.Params()
		if len(ps) != len(d.params[0]) {
			panic(fmt.Sprintf("layers: DataParallel: build made a layer with %d parameters, not %d", len(ps), len(d.params[0])))
		}
		for j, p := range ps {
			p0 := d.params[0][j]
			if p.Name != p0.Name || !p.Value.SameShape(p0.Value) {
				panic(fmt.Sprintf("layers: DataParallel: build made parameter %s %v where the layer has %s %v", p.Name, p.Value.Shape, p0.Name, p0.Value.Shape))
			}
			p.Value.Data = p0.Value.Data
		}
		d.replicas = append(d.replicas, r)
		d.params = append(d.params, ps)
	}
	if len(d.x) < n {
		d.x, d.dy = slices.Grow(d.x, n)[:n], slices.Grow(d.dy, n)[:n]
		d.ys, d.dxs = slices.Grow(d.ys, n)[:n], slices.Grow(d.dxs, n)[:n]
	}
}

// splitParts makes parts views of contiguous runs of t's batch [B, …], as
// even as can be.
func splitParts(parts []Tensor, t *Tensor) {
	b, n := t.Shape[0], len(parts)
	per := 0
	if b > 0 {
		per = t.Len() / b
	}
	for i := range parts {
		lo, hi := b*i/n, b*(i+1)/n
		parts[i].Shape = append(append(parts[i].Shape[:0], hi-lo), t.Shape[1:]...)
		parts[i].Data = t.Data[lo*per : hi*per]
	}
}

// gatherParts writes the parts (batches of images of one shape) one after
// the other into t, a batch of b, and returns t.
func gatherParts(t *Tensor, parts []*Tensor, b int) *Tensor {
	t.Shape = append(append(t.Shape[:0], b), parts[0].Shape[1:]...)
	t.Data = growBuffer(t.Data, shapeLen(t.Shape))
	off := 0
	for _, p := range parts {
		if p.batchInner {
			panic("layers: DataParallel: a replica returned a batch-innermost tensor")
		}
		off += copy(t.Data[off:], p.Data)
	}
	return t
}

// DataParallelConvs returns a Sequential of seq's layers in which the run from
// the first convolution to the last (Conv2D and ConvTranspose2D among
// seq.Layers, not inside nested layers) is one DataParallel, whose replicas are
// that run of the Sequentials build returns, and the layers before and after
// it run on the whole batch, their products split over the cores instead.
// That is the faster way for the Linear layers around the convolutions of
// the paper architectures: forward and backward at batch 32 on two threads,
// the IRMAE decoder's 128 → 8192 layer took 3.2 ms on the whole batch against
// 4.8 ms as two replicas of 16, which each pack the whole weight for each
// product and whose weight gradients must then be summed (Zen 3, AVX2; six
// of the papers' seven Linear shapes were faster on the whole batch, the
// IRMAE encoder's 1024 → 128 9 % slower). Whole training steps at batch 32,
// alternated in one process: IRMAE-MNIST +0.4 to +5.9 % images/s, RRAE-MNIST
// −2.6 to +1.1 %, RRAE on the 64×64 bumps +4 %, an MLP on them +20 %.
// Without a convolution, seq is returned as it is.
//
// The result shares seq's layers: seq names the parameters (Params), and
// Layers of seq changed afterwards are not seen by the result.
func DataParallelConvs(seq *Sequential, build func() *Sequential) *Sequential {
	first, last := -1, -1
	for i, l := range seq.Layers {
		if _, ok := l.(batchInnerLayer); ok {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return seq
	}
	convs := NewDataParallel(NewSequential(slices.Clone(seq.Layers[first:last+1])...), func() Layer {
		r := build()
		if len(r.Layers) != len(seq.Layers) {
			panic(fmt.Sprintf("layers: DataParallelConvs: build made %d layers, not %d", len(r.Layers), len(seq.Layers)))
		}
		return NewSequential(r.Layers[first : last+1]...)
	})
	return NewSequential(slices.Concat(seq.Layers[:first], []Layer{convs}, seq.Layers[last+1:])...)
}
