package layers

import (
	"sync"

	"github.com/rankae/rankae/kernels"
)

// The convolution layers work inside with the batch innermost: a batch of
// B images of C×H×W values as the (C·H·W)×B matrix whose row (c, y, x)
// holds that pixel of every image, the transpose of the NCHW batch. Then
// every entry of the im2col matrix is a run of B values (whole vectors)
// however small the image (kernels.Im2colBatch), and the GEMMs' columns are
// (pixel, image) pairs as before. The price is one transpose of each
// layer's input and output, forward and backward; nothing else changes
// layout.

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
