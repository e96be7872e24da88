package kernels

import "fmt"

// im2col and col2im over a whole batch laid out with the batch innermost:
// image element (c, y, x) of every image sits in one run of nb values,
// imgs[((c·H + y)·W + x)·nb : …+nb], the layout of a (C·H·W)×nb row-major
// matrix (the transpose of a batch in NCHW). Each entry of the im2col
// matrix is then such a run, so both kernels move whole vectors — nb = 32
// is two AVX-512 vectors — however small the image, where Im2col and Col2im,
// one image at a time, move runs of OW values (2 to 32 in the papers'
// layers) and need a polyphase copy of the image to make them contiguous.
// The matrix's columns are (oy, ox, b), b innermost.

// checkBand panics unless g is a valid geometry with a non-empty output,
// nb > 0, [oy0, oy1) a non-empty range of output rows, and the batch and the
// band of the matrix for those rows (with row stride ldcol) long enough; it
// returns OW.
func (g ConvGeom) checkBand(kernel string, nb int, imgs, col []float32, ldcol, oy0, oy1 int) int {
	g.checkGeom(kernel)
	oh, ow := g.OutH(), g.OutW()
	switch {
	case nb <= 0:
		panic(fmt.Sprintf("kernels: %s: batch %d", kernel, nb))
	case oy0 < 0 || oy1 > oh || oy0 >= oy1:
		panic(fmt.Sprintf("kernels: %s: output rows [%d, %d) outside [0, %d) or empty", kernel, oy0, oy1, oh))
	case len(imgs) < g.ImageLen()*nb:
		panic(fmt.Sprintf("kernels: %s: len(imgs) = %d < C·H·W·batch = %d", kernel, len(imgs), g.ImageLen()*nb))
	}
	cols := (oy1 - oy0) * ow * nb
	if ldcol < cols {
		panic(fmt.Sprintf("kernels: %s: ldcol = %d < %d columns of the band", kernel, ldcol, cols))
	}
	if need := (g.Rows()-1)*ldcol + cols; len(col) < need {
		panic(fmt.Sprintf("kernels: %s: len(col) = %d < %d for a %d×%d band with ldcol = %d",
			kernel, len(col), need, g.Rows(), cols, ldcol))
	}
	return ow
}

// Im2colBatch writes the im2col matrix of the batch imgs ([C][H][W][nb],
// batch innermost) into col, a (C·KH·KW)×(OH·OW·nb) row-major matrix with
// row stride ldcol:
//
//	for c, i, j := range C, KH, KW {           // row r = (c·KH + i)·KW + j
//		for oy, ox, b := range OH, OW, nb {     // column (oy·OW + ox)·nb + b
//			y, x := oy·SH − PH + i, ox·SW − PW + j
//			col[r·ldcol + (oy·OW + ox)·nb + b] = imgs[((c·H + y)·W + x)·nb + b] if 0 ≤ y < H and 0 ≤ x < W, else 0
//		}
//	}
func (v *Variant) Im2colBatch(g ConvGeom, nb int, imgs, col []float32, ldcol int) {
	v.Im2colBatchRows(g, nb, imgs, col, ldcol, 0, g.OutH())
}

// Im2colBatchRows writes the columns of output rows oy0 ≤ oy < oy1 of
// Im2colBatch's matrix (its columns oy0·OW·nb …) into col, a matrix of
// (oy1 − oy0)·OW·nb columns with row stride ldcol: a band of the matrix, so
// that a convolution can run band by band with each band in cache.
func (v *Variant) Im2colBatchRows(g ConvGeom, nb int, imgs, col []float32, ldcol, oy0, oy1 int) {
	ow := g.checkBand("Im2colBatchRows", nb, imgs, col, ldcol, oy0, oy1)
	run := ow * nb // one output row oy of a matrix row
	g.forTaps(func(r, c, i, j int) {
		x0 := j - g.PW
		lo, hi := validRange(ow, g.W, g.SW, x0)
		for oy := oy0; oy < oy1; oy++ {
			d := col[r*ldcol+(oy-oy0)*run : r*ldcol+(oy-oy0+1)*run]
			y := oy*g.SH - g.PH + i
			if y < 0 || y >= g.H || lo == hi {
				clear(d)
				continue
			}
			clear(d[:lo*nb])
			clear(d[hi*nb:])
			src := imgs[((c*g.H+y)*g.W+lo*g.SW+x0)*nb:]
			if g.SW == 1 {
				copy(d[lo*nb:hi*nb], src)
			} else {
				v.copyRows(d[lo*nb:hi*nb], src[:(hi-lo-1)*g.SW*nb+nb], hi-lo, nb, g.SW*nb)
			}
		}
	})
}

// Im2colBatchRows writes a band of the im2col matrix of a batch-innermost
// batch with the active variant.
func Im2colBatchRows(g ConvGeom, nb int, imgs, col []float32, ldcol, oy0, oy1 int) {
	active.Im2colBatchRows(g, nb, imgs, col, ldcol, oy0, oy1)
}

// Col2imBatch adds the im2col matrix col back into the batch imgs, the
// adjoint of Im2colBatch:
//
//	for every r, oy, ox, b and the y, x of Im2colBatch's loop inside the image:
//		imgs[((c·H + y)·W + x)·nb + b] += col[r·ldcol + (oy·OW + ox)·nb + b]
//
// Entries of col that fall on the padding are ignored. To overwrite imgs,
// zero it first.
func (v *Variant) Col2imBatch(g ConvGeom, nb int, col []float32, ldcol int, imgs []float32) {
	v.Col2imBatchRows(g, nb, col, ldcol, imgs, 0, g.OutH())
}

// Col2imBatchRows adds back a band of the im2col matrix, the columns of
// output rows oy0 ≤ oy < oy1 held as Im2colBatchRows writes them: the
// adjoint of Im2colBatchRows.
func (v *Variant) Col2imBatchRows(g ConvGeom, nb int, col []float32, ldcol int, imgs []float32, oy0, oy1 int) {
	ow := g.checkBand("Col2imBatchRows", nb, imgs, col, ldcol, oy0, oy1)
	run := ow * nb
	g.forTaps(func(r, c, i, j int) {
		x0 := j - g.PW
		lo, hi := validRange(ow, g.W, g.SW, x0)
		if lo == hi {
			return
		}
		for oy := oy0; oy < oy1; oy++ {
			y := oy*g.SH - g.PH + i
			if y < 0 || y >= g.H {
				continue
			}
			src := col[r*ldcol+(oy-oy0)*run+lo*nb : r*ldcol+(oy-oy0)*run+hi*nb]
			dst := imgs[((c*g.H+y)*g.W+lo*g.SW+x0)*nb:]
			if g.SW == 1 {
				v.add(dst[:len(src)], dst[:len(src)], src)
			} else {
				v.addRows(dst[:(hi-lo-1)*g.SW*nb+nb], g.SW*nb, src, hi-lo, nb)
			}
		}
	})
}

// Im2colBatch writes the im2col matrix of a batch-innermost batch with the
// active variant.
func Im2colBatch(g ConvGeom, nb int, imgs, col []float32, ldcol int) {
	active.Im2colBatch(g, nb, imgs, col, ldcol)
}

// Col2imBatch adds col back into a batch-innermost batch with the active
// variant.
func Col2imBatch(g ConvGeom, nb int, col []float32, ldcol int, imgs []float32) {
	active.Col2imBatch(g, nb, col, ldcol, imgs)
}

// Col2imBatchRows adds a band of the im2col matrix back into a
// batch-innermost batch with the active variant.
func Col2imBatchRows(g ConvGeom, nb int, col []float32, ldcol int, imgs []float32, oy0, oy1 int) {
	active.Col2imBatchRows(g, nb, col, ldcol, imgs, oy0, oy1)
}

// forTaps calls f for every row r = (c·KH + i)·KW + j of the im2col matrix,
// in order.
func (g ConvGeom) forTaps(f func(r, c, i, j int)) {
	r := 0
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				f(r, c, i, j)
				r++
			}
		}
	}
}
