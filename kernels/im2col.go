package kernels

import "fmt"

// The im2col and col2im kernels of the convolution layers (layers/conv*.go).
// im2col lays the receptive fields of a C×H×W image out as the columns of a
// (C·KH·KW)×(OH·OW) matrix, so that a convolution is one GEMM with the weight;
// col2im is its adjoint, summing such a matrix back into an image (the
// backward pass of a convolution, the forward pass of a transposed one).
//
// The rows of the matrix are short (OW is 2 to 32 in the papers' layers) and,
// for a stride s, strided gathers from the image. Both kernels therefore go
// through a polyphase copy of the image, made once per image: the zero-padded
// image split into its SH·SW phases, phase (a, b) holding the padded pixels
// (py·SH + a, px·SW + b). Row (c, i, j) of the matrix is then the block of
// phase (i mod SH, j mod SW) of channel c at offset (i div SH, j div SW):
// OH contiguous runs of OW values with a fixed stride, with no padding logic
// left. Those block copies (and block additions for col2im) are the SIMD
// primitives copyRows and addRows; the phase split costs a pass over the
// image, a KH·KW/(SH·SW)-th of the matrix.

// ConvGeom is the geometry of a 2-D convolution over one image of C channels
// of H×W: a KH×KW kernel moved by SH rows and SW columns, over the image
// zero-padded by PH rows above and below and PW columns left and right.
type ConvGeom struct {
	C, H, W int // input channels, height, width
	KH, KW  int // kernel height and width
	SH, SW  int // strides, ≥ 1
	PH, PW  int // zero padding, ≥ 0
}

// OutH returns the output height, (H + 2·PH − KH)/SH + 1.
func (g ConvGeom) OutH() int { return (g.H+2*g.PH-g.KH)/g.SH + 1 }

// OutW returns the output width, (W + 2·PW − KW)/SW + 1.
func (g ConvGeom) OutW() int { return (g.W+2*g.PW-g.KW)/g.SW + 1 }

// Rows returns the rows of the im2col matrix, C·KH·KW.
func (g ConvGeom) Rows() int { return g.C * g.KH * g.KW }

// Cols returns the columns of the im2col matrix, OutH()·OutW().
func (g ConvGeom) Cols() int { return g.OutH() * g.OutW() }

// ImageLen returns the elements of one image, C·H·W.
func (g ConvGeom) ImageLen() int { return g.C * g.H * g.W }

func (g ConvGeom) String() string {
	return fmt.Sprintf("C=%d H=%d W=%d kernel %d×%d stride %d×%d padding %d×%d",
		g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW)
}

// phaseDims returns the height and width of one phase of the padded image:
// ⌈(H + 2·PH)/SH⌉ × ⌈(W + 2·PW)/SW⌉.
func (g ConvGeom) phaseDims() (ph, pw int) {
	return (g.H + 2*g.PH + g.SH - 1) / g.SH, (g.W + 2*g.PW + g.SW - 1) / g.SW
}

// direct reports whether the image is its own single phase (stride 1, no
// padding), so that the kernels need no copy of it.
func (g ConvGeom) direct() bool { return g.SH == 1 && g.SW == 1 && g.PH == 0 && g.PW == 0 }

// WorkLen returns the scratch length Im2col and Col2im need for one image: the
// polyphase copy of the padded image, C·SH·SW·⌈(H+2·PH)/SH⌉·⌈(W+2·PW)/SW⌉
// (about the padded image's size), or 0 for stride 1 without padding.
func (g ConvGeom) WorkLen() int {
	if g.direct() {
		return 0
	}
	ph, pw := g.phaseDims()
	return g.C * g.SH * g.SW * ph * pw
}

// checkGeom panics unless g is a valid geometry with a non-empty output.
func (g ConvGeom) checkGeom(kernel string) {
	switch {
	case g.C <= 0 || g.H <= 0 || g.W <= 0 || g.KH <= 0 || g.KW <= 0:
		panic(fmt.Sprintf("kernels: %s: %v: sizes must be positive", kernel, g))
	case g.SH <= 0 || g.SW <= 0 || g.PH < 0 || g.PW < 0:
		panic(fmt.Sprintf("kernels: %s: %v: strides must be positive, padding not negative", kernel, g))
	case g.H+2*g.PH < g.KH || g.W+2*g.PW < g.KW:
		panic(fmt.Sprintf("kernels: %s: %v: kernel larger than the padded image", kernel, g))
	}
}

// check panics unless g is a valid geometry with a non-empty output and the
// image and matrix slices are long enough.
func (g ConvGeom) check(kernel string, img, col []float32, ldcol int, work []float32) {
	g.checkGeom(kernel)
	if len(img) < g.ImageLen() {
		panic(fmt.Sprintf("kernels: %s: len(img) = %d < C·H·W = %d", kernel, len(img), g.ImageLen()))
	}
	if len(work) < g.WorkLen() {
		panic(fmt.Sprintf("kernels: %s: len(work) = %d < WorkLen() = %d", kernel, len(work), g.WorkLen()))
	}
	rows, cols := g.Rows(), g.Cols()
	if ldcol < cols {
		panic(fmt.Sprintf("kernels: %s: ldcol = %d < OH·OW = %d", kernel, ldcol, cols))
	}
	if need := (rows-1)*ldcol + cols; len(col) < need {
		panic(fmt.Sprintf("kernels: %s: len(col) = %d < %d for a %d×%d matrix with ldcol = %d",
			kernel, len(col), need, rows, cols, ldcol))
	}
}

// Im2col writes the im2col matrix of the image img (C×H×W, row-major) into col,
// a (C·KH·KW)×(OH·OW) row-major matrix with row stride ldcol:
//
//	for c, i, j := range C, KH, KW {          // row r = (c·KH + i)·KW + j
//		for oy, ox := range OH, OW {           // column oy·OW + ox
//			y, x := oy·SH − PH + i, ox·SW − PW + j
//			col[r·ldcol + oy·OW + ox] = img[(c·H + y)·W + x] if 0 ≤ y < H and 0 ≤ x < W, else 0
//		}
//	}
//
// Columns from OH·OW to ldcol are left as they are, so the matrices of a batch can
// sit side by side in one wider matrix. work is scratch of at least g.WorkLen()
// elements.
func (v *Variant) Im2col(g ConvGeom, img, col []float32, ldcol int, work []float32) {
	g.check("Im2col", img, col, ldcol, work)
	im2col(v, g, img, col, ldcol, work)
}

// Col2im adds the im2col matrix col back into the image img, the adjoint of
// Im2col:
//
//	for every r, oy, ox and the y, x of Im2col's loop inside the image:
//		img[(c·H + y)·W + x] += col[r·ldcol + oy·OW + ox]
//
// Entries of col that fall on the padding are ignored. To overwrite img, zero it
// first. work is scratch of at least g.WorkLen() elements.
func (v *Variant) Col2im(g ConvGeom, col []float32, ldcol int, img, work []float32) {
	g.check("Col2im", img, col, ldcol, work)
	col2im(v, g, col, ldcol, img, work)
}

// Im2col writes the im2col matrix of img into col with the active variant.
func Im2col(g ConvGeom, img, col []float32, ldcol int, work []float32) {
	active.Im2col(g, img, col, ldcol, work)
}

// Col2im adds col back into img with the active variant.
func Col2im(g ConvGeom, col []float32, ldcol int, img, work []float32) {
	active.Col2im(g, col, ldcol, img, work)
}

// validRange returns the output columns [lo, hi) whose input column ox·s + x0
// falls inside [0, w).
func validRange(ow, w, s, x0 int) (lo, hi int) {
	if x0 < 0 {
		lo = (-x0 + s - 1) / s
	}
	if last := w - 1 - x0; last >= 0 {
		hi = min(ow, last/s+1)
	}
	lo = min(lo, ow)
	return lo, max(lo, hi)
}

// forBlocks calls f for every row r = (c·KH + i)·KW + j of the im2col matrix,
// in order, with the offset in the phases (or in the image, for a direct
// geometry) of the row's block: phase (i mod SH, j mod SW) of channel c at
// (i div SH, j div SW). It counts the quotients up instead of dividing, as the
// blocks can be as small as 2×2 values.
func (g ConvGeom) forBlocks(f func(r, off int)) {
	ph, pw := g.phaseDims() // H×W for a direct geometry
	chanLen := g.SH * g.SW * ph * pw
	r := 0
	for c := 0; c < g.C; c++ {
		a, qi := 0, 0
		for i := 0; i < g.KH; i++ {
			b, qj := 0, 0
			for j := 0; j < g.KW; j++ {
				f(r, c*chanLen+((a*g.SW+b)*ph+qi)*pw+qj)
				r++
				if b++; b == g.SW {
					b, qj = 0, qj+1
				}
			}
			if a++; a == g.SH {
				a, qi = 0, qi+1
			}
		}
	}
}

// im2col is Im2col on checked arguments.
func im2col(v *Variant, g ConvGeom, img, col []float32, ldcol int, work []float32) {
	src := img
	if !g.direct() {
		splitPhases(g, img, work)
		src = work
	}
	oh, ow := g.OutH(), g.OutW()
	_, ld := g.phaseDims()
	copyRows := v.copyRows
	g.forBlocks(func(r, off int) {
		copyRows(col[r*ldcol:r*ldcol+oh*ow], src[off:off+(oh-1)*ld+ow], oh, ow, ld)
	})
}

// col2im is Col2im on checked arguments.
func col2im(v *Variant, g ConvGeom, col []float32, ldcol int, img, work []float32) {
	dst := img
	if !g.direct() {
		dst = work[:g.WorkLen()]
		clear(dst)
	}
	oh, ow := g.OutH(), g.OutW()
	_, ld := g.phaseDims()
	addRows := v.addRows
	g.forBlocks(func(r, off int) {
		addRows(dst[off:off+(oh-1)*ld+ow], ld, col[r*ldcol:r*ldcol+oh*ow], oh, ow)
	})
	if !g.direct() {
		mergePhases(g, work, img)
	}
}

// splitPhases writes the polyphase copy of the zero-padded image to work:
//
//	for c, a, b, py, px := range C, SH, SW, PHh, PWw {
//		y, x := py·SH + a − PH, px·SW + b − PW
//		work[(((c·SH + a)·SW + b)·PHh + py)·PWw + px] = img[(c·H + y)·W + x] if inside, else 0
//	}
func splitPhases(g ConvGeom, img, work []float32) {
	ph, pw := g.phaseDims()
	k := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for a := 0; a < g.SH; a++ {
			for b := 0; b < g.SW; b++ {
				x0 := b - g.PW
				lo, hi := validRange(pw, g.W, g.SW, x0)
				for py := 0; py < ph; py++ {
					d := work[k : k+pw]
					k += pw
					y := py*g.SH + a - g.PH
					if y < 0 || y >= g.H || lo == hi {
						clear(d)
						continue
					}
					for t := range d[:lo] {
						d[t] = 0
					}
					for t := range d[hi:] {
						d[hi+t] = 0
					}
					row := plane[y*g.W+lo*g.SW+x0:]
					if g.SW == 1 {
						copy(d[lo:hi], row)
					} else {
						gatherGeneric(d[lo:hi], row, g.SW)
					}
				}
			}
		}
	}
}

// mergePhases adds the polyphase image in work back into img, dropping the
// padding; the adjoint of splitPhases:
//
//	for every c, a, b, py, px whose y, x of splitPhases fall inside the image:
//		img[(c·H + y)·W + x] += work[(((c·SH + a)·SW + b)·PHh + py)·PWw + px]
func mergePhases(g ConvGeom, work, img []float32) {
	ph, pw := g.phaseDims()
	k := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for a := 0; a < g.SH; a++ {
			for b := 0; b < g.SW; b++ {
				x0 := b - g.PW
				lo, hi := validRange(pw, g.W, g.SW, x0)
				for py := 0; py < ph; py++ {
					s := work[k : k+pw]
					k += pw
					y := py*g.SH + a - g.PH
					if y < 0 || y >= g.H || lo == hi {
						continue
					}
					row := plane[y*g.W+lo*g.SW+x0:]
					if g.SW == 1 {
						row = row[:hi-lo]
						for t, v := range s[lo:hi] {
							row[t] += v
						}
					} else {
						scatterAddGeneric(row, s[lo:hi], g.SW)
					}
				}
			}
		}
	}
}

// copyRowsGeneric copies a block of rows×cols values with source row stride
// ldsrc into contiguous dst:
//
//	for r := 0; r < rows; r++ {
//		for k := 0; k < cols; k++ {
//			dst[r*cols+k] = src[r*ldsrc+k]
//		}
//	}
func copyRowsGeneric(dst, src []float32, rows, cols, ldsrc int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*cols:(r+1)*cols], src[r*ldsrc:r*ldsrc+cols])
	}
}

// addRowsGeneric adds contiguous src into a block of rows×cols values with
// destination row stride ldd:
//
//	for r := 0; r < rows; r++ {
//		for k := 0; k < cols; k++ {
//			dst[r*ldd+k] += src[r*cols+k]
//		}
//	}
func addRowsGeneric(dst []float32, ldd int, src []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		d, s := dst[r*ldd:r*ldd+cols], src[r*cols:(r+1)*cols]
		for k, v := range s {
			d[k] += v
		}
	}
}

// gatherGeneric computes
//
//	for i := range dst {
//		dst[i] = src[i*stride]
//	}
func gatherGeneric(dst, src []float32, stride int) {
	for i := range dst {
		dst[i] = src[i*stride]
	}
}

// scatterAddGeneric computes
//
//	for i, s := range src {
//		dst[i*stride] += s
//	}
func scatterAddGeneric(dst, src []float32, stride int) {
	for i, s := range src {
		dst[i*stride] += s
	}
}
