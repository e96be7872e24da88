package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The batch kernels are held to the one-image loops of im2col_test.go: entry
// (r, (oy·OW + ox)·nb + b) of the batch matrix is entry (r, oy·OW + ox) of
// image b's.

// batchImage returns image b of a batch-innermost batch.
func batchImage(imgs []float32, nb, b int) []float32 {
	img := make([]float32, len(imgs)/nb)
	for k := range img {
		img[k] = imgs[k*nb+b]
	}
	return img
}

// im2colBatchSizes returns the batch sizes the tests run on the i-th
// geometry: 1 and 3 on every one, and on every fifth also 21, whose runs are
// whole vectors and a partial one on every level.
func im2colBatchSizes(i int) []int {
	if i%5 == 0 {
		return []int{1, 3, 21}
	}
	return []int{1, 3}
}

func TestIm2colBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, v := range Variants() {
		for gi, g := range im2colGeoms() {
			for _, nb := range im2colBatchSizes(gi) {
				rows, p := g.Rows(), g.Cols()
				ldcol := p*nb + im2colGuard // NaN guards between the rows
				imgs := make([]float32, g.ImageLen()*nb)
				im2colRandom(rng, imgs)
				got := im2colNaNs(rows * ldcol)
				v.Im2colBatch(g, nb, imgs, got[im2colGuard:], ldcol)
				want := im2colNaNs(rows * ldcol)
				one := make([]float32, rows*p)
				for b := 0; b < nb; b++ {
					im2colNaive(g, batchImage(imgs, nb, b), one, p)
					for r := 0; r < rows; r++ {
						for q := 0; q < p; q++ {
							want[im2colGuard+r*ldcol+q*nb+b] = one[r*p+q]
						}
					}
				}
				for i := range got {
					if !im2colSame(got[i], want[i]) {
						t.Fatalf("%v: Im2colBatch(%v, batch %d): entry %d (row %d, column %d) = %v, want %v",
							v, g, nb, i-im2colGuard, (i-im2colGuard)/ldcol, (i-im2colGuard)%ldcol, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestCol2imBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, v := range Variants() {
		for gi, g := range im2colGeoms() {
			for _, nb := range im2colBatchSizes(gi) {
				rows, p := g.Rows(), g.Cols()
				ldcol := p*nb + im2colGuard
				// NaNs between the rows must not reach the images.
				col := im2colNaNs(rows * ldcol)
				for r := 0; r < rows; r++ {
					im2colRandom(rng, col[im2colGuard+r*ldcol:im2colGuard+r*ldcol+p*nb])
				}
				n := g.ImageLen() * nb
				base := make([]float32, n)
				im2colRandom(rng, base)
				got := im2colNaNs(n)
				copy(got[im2colGuard:], base)
				v.Col2imBatch(g, nb, col[im2colGuard:], ldcol, got[im2colGuard:im2colGuard+n])
				want := im2colNaNs(n)
				one := make([]float32, rows*p)
				for b := 0; b < nb; b++ {
					for r := 0; r < rows; r++ {
						for q := 0; q < p; q++ {
							one[r*p+q] = col[im2colGuard+r*ldcol+q*nb+b]
						}
					}
					img := batchImage(base, nb, b)
					col2imNaive(g, one, p, img)
					for k, x := range img {
						want[im2colGuard+k*nb+b] = x
					}
				}
				for i := range got {
					if !im2colClose(got[i], want[i]) {
						t.Fatalf("%v: Col2imBatch(%v, batch %d): entry %d = %v, want %v", v, g, nb, i-im2colGuard, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestIm2colBatchRows holds the band kernels to the whole-matrix ones: each
// band of output rows is those columns of Im2colBatch's matrix, and adding
// every band back with Col2imBatchRows gives Col2imBatch's batch.
func TestIm2colBatchRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, v := range Variants() {
		for gi, g := range im2colGeoms() {
			nb := im2colBatchSizes(gi)[len(im2colBatchSizes(gi))-1]
			rows, p, oh := g.Rows(), g.Cols()*nb, g.OutH()
			run := p / oh
			imgs := make([]float32, g.ImageLen()*nb)
			im2colRandom(rng, imgs)
			whole := make([]float32, rows*p)
			v.Im2colBatch(g, nb, imgs, whole, p)
			back := make([]float32, len(imgs))
			v.Col2imBatch(g, nb, whole, p, back)
			backBands := make([]float32, len(imgs))
			for _, band := range []int{1, 2, oh} {
				clear(backBands)
				for oy0 := 0; oy0 < oh; oy0 += band {
					oy1 := min(oh, oy0+band)
					cn := (oy1 - oy0) * run
					col := make([]float32, rows*cn)
					v.Im2colBatchRows(g, nb, imgs, col, cn, oy0, oy1)
					for r := 0; r < rows; r++ {
						for q := 0; q < cn; q++ {
							if w := whole[r*p+oy0*run+q]; !im2colSame(col[r*cn+q], w) {
								t.Fatalf("%v: Im2colBatchRows(%v, batch %d, rows [%d, %d)): entry (%d, %d) = %v, want %v",
									v, g, nb, oy0, oy1, r, q, col[r*cn+q], w)
							}
						}
					}
					v.Col2imBatchRows(g, nb, col, cn, backBands, oy0, oy1)
				}
				for k := range back {
					if d := back[k] - backBands[k]; d > 1e-5 || d < -1e-5 {
						t.Fatalf("%v: Col2imBatchRows(%v, batch %d) by bands of %d rows: element %d = %v, want %v",
							v, g, nb, band, k, backBands[k], back[k])
					}
				}
			}
		}
	}
}

func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, v := range Variants() {
		for _, rows := range []int{0, 1, 3, 4, 7, 8, 9, 17, 32, 33} {
			for _, cols := range []int{0, 1, 5, 16, 37, 100} {
				lda, ldd := cols+3, rows+2
				a := im2colNaNs(max(rows*lda, 1))
				for i := 0; i < rows; i++ {
					im2colRandom(rng, a[im2colGuard+i*lda:im2colGuard+i*lda+cols])
				}
				got := im2colNaNs(max(cols*ldd, 1))
				// Slices no longer than the matrices: nothing may be read or
				// sliced beyond them.
				an, dn := 0, 0
				if rows > 0 && cols > 0 {
					an, dn = (rows-1)*lda+cols, (cols-1)*ldd+rows
				}
				v.Transpose(rows, cols, a[im2colGuard:im2colGuard+an], lda, got[im2colGuard:im2colGuard+dn], ldd)
				want := im2colNaNs(max(cols*ldd, 1))
				for i := 0; i < rows; i++ {
					for j := 0; j < cols; j++ {
						want[im2colGuard+j*ldd+i] = a[im2colGuard+i*lda+j]
					}
				}
				for i := range got {
					if !im2colSame(got[i], want[i]) {
						t.Fatalf("%v: Transpose of %d×%d: entry %d = %v, want %v", v, rows, cols, i-im2colGuard, got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkIm2colBatch runs the batch kernels on the RRAE-MNIST layers at
// batch 32 (the transposed convolutions as the convolutions they are the
// adjoints of): compare BenchmarkIm2col's one image, times 32.
func BenchmarkIm2colBatch(b *testing.B) {
	const nb = 32
	for _, g := range []ConvGeom{
		{C: 1, H: 28, W: 28, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 32, H: 14, W: 14, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 256, H: 4, W: 4, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 128, H: 8, W: 8, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 32, H: 16, W: 16, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
		{C: 8, H: 32, W: 32, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1},
	} {
		name := fmt.Sprintf("c=%d,h=%d,w=%d,k=%d,s=%d,p=%d,batch=%d", g.C, g.H, g.W, g.KH, g.SH, g.PH, nb)
		imgs := filled(g.ImageLen()*nb, 1)
		col := make([]float32, g.Rows()*g.Cols()*nb)
		for _, v := range Variants() {
			b.Run(name+"/pass=im2col/level="+v.String(), func(b *testing.B) {
				b.SetBytes(int64(4 * len(col)))
				for b.Loop() {
					v.Im2colBatch(g, nb, imgs, col, g.Cols()*nb)
				}
			})
			b.Run(name+"/pass=col2im/level="+v.String(), func(b *testing.B) {
				b.SetBytes(int64(4 * len(col)))
				for b.Loop() {
					v.Col2imBatch(g, nb, col, g.Cols()*nb, imgs)
				}
			})
		}
	}
}
