package layers

import (
	"fmt"
	"sync"

	"github.com/rankae/rankae/kernels"
	"github.com/rankae/rankae/linalg"
)

// The convolution layers work inside with the batch innermost: a batch of
// B images of C×H×W values as the (C·H·W)×B matrix whose row (c, y, x)
// holds that pixel of every image, the transpose of the NCHW batch. Then
// every entry of the im2col matrix is a run of B values (whole vectors)
// however small the image (kernels.Im2colBatch), and the GEMMs' columns are
// (pixel, image) pairs as before. The price is a transpose of each layer's
// input and output, forward and backward, unless the tensor passed between
// two convolutions stays in that layout: a Sequential asks a convolution
// for its output with the batch innermost (Tensor.batchInner) when the next
// layer that is not element-wise is a convolution that takes it, the
// element-wise layers keep the layout, and each convolution gives its input
// gradient in the layout its input came in. No other layer sees such a
// tensor (checkNCHW).

// A batchInnerLayer takes a batch-innermost input and can give its output
// in that layout.
type batchInnerLayer interface {
	takesBatchInner() bool          // whether Forward accepts a batch-innermost x
	setBatchInnerOutput(inner bool) // whether Forward's output is batch-innermost
}

// An elementwiseLayer computes each output element from the input element
// at the same place, so it works in any layout and keeps it.
type elementwiseLayer interface{ elementwise() }

// linkBatchInner tells each convolution among layers whether to give its
// output with the batch innermost: when the next layer that is not
// element-wise takes it.
func linkBatchInner(layers []Layer) {
	for i, l := range layers {
		c, ok := l.(batchInnerLayer)
		if !ok {
			continue
		}
		j := i + 1
		for j < len(layers) {
			if _, ok := layers[j].(elementwiseLayer); !ok {
				break
			}
			j++
		}
		next, ok := batchInnerLayer(nil), false
		if j < len(layers) {
			next, ok = layers[j].(batchInnerLayer)
		}
		c.setBatchInnerOutput(ok && next.takesBatchInner())
	}
}

// checkNCHW panics if x has the batch innermost: a layer that is not a
// convolution or element-wise got one, which linkBatchInner never arranges.
func checkNCHW(layer string, x *Tensor) {
	if x.batchInner {
		panic(fmt.Sprintf("layers: %s got a tensor with the batch innermost (internal to a Sequential's convolutions)", layer))
	}
}

// batchTranspose moves a batch between NCHW and the batch innermost, spread
// over the cores. A layer keeps one, so that a step allocates nothing.
type batchTranspose struct {
	dst, src []float32
	nb       int
	wg       sync.WaitGroup
}

const (
	toBatchInner = iota // dst[e·B + b] = src[b·E + e], E elements per image
	toBatchOuter        // dst[b·E + e] = src[e·B + b]
)

// run transposes src, a batch of nb images of len(src)/nb values each, into
// dst in the direction dir.
func (t *batchTranspose) run(dir int, dst, src []float32, nb int) {
	t.dst, t.src, t.nb = dst[:len(src)], src, nb
	forUnits(t, dir, len(src)/nb, len(src), &t.wg)
}

// runRange transposes the elements [lo, hi) of every image.
func (t *batchTranspose) runRange(dir, lo, hi int) {
	e := len(t.src) / t.nb
	if dir == toBatchInner {
		kernels.Transpose(t.nb, hi-lo, t.src[lo:], e, t.dst[lo*t.nb:], t.nb)
		return
	}
	kernels.Transpose(hi-lo, t.nb, t.src[lo*t.nb:], t.nb, t.dst[lo:], e)
}

// toInner returns x's data with the batch innermost: x.Data itself when it
// is already, else its transpose into *buf.
func (t *batchTranspose) toInner(x *Tensor, buf *[]float32) []float32 {
	if x.batchInner {
		return x.Data
	}
	*buf = growBuffer(*buf, len(x.Data))
	t.run(toBatchInner, *buf, x.Data, x.Shape[0])
	return *buf
}

// innerOutput marks the layer output out (sized already) as batch-innermost
// or not, and returns where the layer is to write it with the batch
// innermost: out.Data itself, or *buf, which fromInner then transposes.
func (t *batchTranspose) innerOutput(out *Tensor, inner bool, buf *[]float32) []float32 {
	out.batchInner = inner
	if inner {
		return out.Data
	}
	*buf = growBuffer(*buf, len(out.Data))
	return *buf
}

// fromInner completes an output innerOutput set up: it transposes src into
// out unless out is batch-innermost (src is then out.Data).
func (t *batchTranspose) fromInner(out *Tensor, src []float32) {
	if !out.batchInner {
		t.run(toBatchOuter, out.Data, src, out.Shape[0])
	}
}

// gradToInner returns the gradient dy of the output y with the batch
// innermost (toInner); dy must come in y's layout.
func (t *batchTranspose) gradToInner(dy, y *Tensor, buf *[]float32) []float32 {
	if dy.batchInner != y.batchInner {
		panic("layers: a convolution's output gradient is not in its output's layout")
	}
	return t.toInner(dy, buf)
}

// channelBlock returns what the channels [lo, hi) of a convolution over g
// need for their share of im2col or col2im over a batch of nb, the batch
// innermost: the geometry of those channels alone, the offset of their first
// row in the im2col matrix (rows of ldcol values), and the length of one
// channel's plane of the batch.
func channelBlock(g kernels.ConvGeom, lo, hi, nb, ldcol int) (sub kernels.ConvGeom, rowOff, plane int) {
	sub = g
	sub.C = hi - lo
	return sub, lo * g.KH * g.KW * ldcol, g.H * g.W * nb
}

// fillChannels sets each channel's run of dst, len(dst)/len(bias) values
// with the batch innermost, to that channel's bias: by copies of doubling
// length, which run on memmove's vectors where a store per element does not.
func fillChannels(dst, bias []float32) {
	run := len(dst) / len(bias)
	for o, bv := range bias {
		ch := dst[o*run : (o+1)*run]
		if len(ch) == 0 {
			continue
		}
		ch[0] = bv
		for n := 1; n < len(ch); n *= 2 {
			copy(ch[n:], ch[:n])
		}
	}
}

// addChannelSums adds to each db[o] the sum of channel o's run of dy (the
// bias gradient of a batch-innermost output gradient).
func addChannelSums(db, dy []float32) {
	run := len(dy) / len(db)
	for o := range db {
		db[o] += kernels.Sum(dy[o*run : (o+1)*run])
	}
}

// convBandBytes is the size of im2col matrix a convolution forms at a time:
// it runs over bands of whole rows of the matrix's column image (a Conv2D's
// output rows, a ConvTranspose2D's input rows) whose matrix is about that
// large, so that the matrix stays in cache between the pass that writes it
// and the ones that read it (im2col and the product; the product and
// col2im; im2col and the backward's two products) rather than going out to
// memory. A whole training step on two threads (the models' replicas at 16
// images each), alternating the sizes in one process: 1 MiB gave IRMAE-MNIST
// 1–3 % more images/s than 2 and 4 MiB and RRAE-MNIST the same; 0.5 MiB was
// 5 % slower on RRAE, whose every band repacks the weight. (On one thread at
// batch 32 alone, 2 MiB had taken 6–13 % off the IRMAE decoder's 64 → 32
// layer against one band.) A variable for the tests.
var convBandBytes = 1 << 20

// convBands walks the bands of an im2col matrix of k rows whose column image
// has rows rows of run columns each: the band in progress is rows [lo, hi).
type convBands struct {
	rows, run int // of the column image
	per       int // rows in a full band
	lo, hi    int
}

// first starts the walk and returns the floats a band's matrix needs.
func (b *convBands) first(k, rows, run int) int {
	b.rows, b.run = rows, run
	b.per = min(rows, max(1, convBandBytes/(4*k*run)))
	b.lo, b.hi = 0, b.per
	return k * b.per * run
}

// next moves to the next band; after the last, lo = hi.
func (b *convBands) next() { b.lo, b.hi = b.hi, min(b.rows, b.hi+b.per) }

// more reports whether a band is in progress.
func (b *convBands) more() bool { return b.lo < b.hi }

// single reports whether one band holds the whole matrix.
func (b *convBands) single() bool { return b.per == b.rows }

// cols returns the band's columns and the offset of its first one.
func (b *convBands) cols() (n, off int) { return (b.hi - b.lo) * b.run, b.lo * b.run }

// bandWeights multiplies a convolution's weight, op(W) m×k, by the bands of
// its im2col matrix. Over several bands it packs op(W) once
// (linalg.PackedA), where Sgemm would pack it again for every band; over one
// it leaves the packing to Sgemm, whose blocks stay in cache where a whole
// packed copy would go out to memory and back. Whole steps on two threads,
// alternated in one process (Zen 3, AVX2): IRMAE-MNIST +1 % against packing
// per band, RRAE-MNIST level; packing for a single band too cost RRAE 4 %.
type bandWeights struct {
	packed  linalg.PackedA
	several bool
	transA  bool
	m, k    int
	w       []float32
}

// prepare sets op(W) for the walk over bands that starts: W itself, m×k, or
// its transpose when transA is set.
func (bw *bandWeights) prepare(bands *convBands, transA bool, m, k int, w []float32) {
	bw.several, bw.transA, bw.m, bw.k, bw.w = !bands.single(), transA, m, k, w
	if bw.several {
		bw.packed.Pack(transA, m, k, 1, w, bw.lda())
	}
}

func (bw *bandWeights) lda() int {
	if bw.transA {
		return bw.m
	}
	return bw.k
}

// times computes C = op(W)·B + beta·C for a band's n columns: B is k×n, C m×n.
func (bw *bandWeights) times(n int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if bw.several {
		linalg.SgemmPacked(&bw.packed, false, n, b, ldb, beta, c, ldc)
		return
	}
	linalg.Sgemm(bw.transA, false, bw.m, n, bw.k, 1, bw.w, bw.lda(), b, ldb, beta, c, ldc)
}
