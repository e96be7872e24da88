package linalg

import "github.com/rankae/rankae/kernels"

// gemmProblem is C = alpha·op(A)·op(B) + beta·C for an m×n block of C with k > 0.
// Parallel runs split C into such blocks.
type gemmProblem struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
	// packed, when set, is op(A) already packed (alpha included; a and lda
	// unused), and i0 the row of it where this problem's rows begin.
	packed *PackedA
	i0     int
}

// blocking holds the cache blocking of the Goto/BLIS loops for one micro-kernel
// shape: a KC×NC panel of B and an MC×KC block of A are packed per iteration.
type blocking struct{ mc, kc, nc int }

// blockingFor returns the blocking for a micro-kernel. On a Zen 5 core (48 KiB L1d,
// 1 MiB L2), with the AVX-512 8×48 kernel: KC = 192 keeps the KC×NR sliver of B̃
// that every micro-kernel call of a column reuses at 36 KiB, in L1 beside the
// streamed slivers of Ã; the MC×KC block of Ã (72 KiB at MC = 96) sits in L2; NC
// covers the n of the papers' GEMMs in one panel. Sweeps at 1024³ over KC from 128
// to 512 and MC from 64 to 384 (the last of them with benchstat, n = 6) found no
// setting better than this one beyond the noise.
func blockingFor(g kernels.GemmMicroKernel) blocking {
	const kc = 192
	mc := max(1, 96/g.MR) * g.MR
	nc := max(1, 2048/g.NR) * g.NR
	return blocking{mc: mc, kc: kc, nc: nc}
}

// gemmBuffers are one worker's packing buffers, kept in a free list so that
// steady state allocates nothing.
type gemmBuffers struct {
	a, b, tile []float32
}

var buffers freeList[gemmBuffers]

// getBuffers returns buffers large enough for blocking bl and micro-kernel g.
func getBuffers(g kernels.GemmMicroKernel, bl blocking) *gemmBuffers {
	buf := buffers.get()
	buf.a = grow(buf.a, bl.mc*bl.kc)
	buf.b = grow(buf.b, bl.kc*bl.nc)
	buf.tile = grow(buf.tile, g.MR*g.NR)
	return buf
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// serial computes p on the calling goroutine: the five loops of Goto's algorithm,
// or for a small k and an untransposed B, serialRows.
func serial(p gemmProblem, g kernels.GemmMicroKernel) {
	bl := blockingFor(g)
	buf := getBuffers(g, bl)
	defer buffers.put(buf)
	if !p.transB && p.k <= rowOrderMaxK && g.HasRunRow() {
		serialRows(p, g, bl, buf)
		return
	}
	for jc := 0; jc < p.n; jc += bl.nc {
		nc := min(bl.nc, p.n-jc)
		for pc := 0; pc < p.k; pc += bl.kc {
			kc := min(bl.kc, p.k-pc)
			packB(g, buf.b, p.b, p.ldb, p.transB, pc, kc, jc, nc)
			for ic := 0; ic < p.m; ic += bl.mc {
				mc := min(bl.mc, p.m-ic)
				a := p.panelsA(g, buf, ic, mc, pc, kc)
				// The first panel of k applies beta; the others accumulate.
				beta := float32(1)
				if pc == 0 {
					beta = p.beta
				}
				macroKernel(g, kc, mc, nc, a, buf.b, buf.tile, p.c[ic*p.ldc+jc:], p.ldc, beta)
			}
		}
	}
}

// panelsA returns rows ic to ic+mc and columns pc to pc+kc of alpha·op(A) as
// micro-panels: the pre-packed A's, or packed into buf.a.
func (p *gemmProblem) panelsA(g kernels.GemmMicroKernel, buf *gemmBuffers, ic, mc, pc, kc int) []float32 {
	if p.packed != nil {
		return p.packed.block(p.i0+ic, pc, kc)
	}
	packA(g, buf.a, p.a, p.lda, p.transA, ic, mc, pc, kc, p.alpha)
	return buf.a
}

// macroKernel multiplies the packed mc×kc block a of A by the packed kc×nc panel
// b of B into C (whose top-left corner is c[0]), one MR×NR tile at a time; the
// tiles at the edges are partial (through tile, MR×NR floats of scratch), and
// nothing outside C is touched.
func macroKernel(g kernels.GemmMicroKernel, kc, mc, nc int, a, b, tile []float32, c []float32, ldc int, beta float32) {
	fullRows := mc / g.MR * g.MR
	for jr := 0; jr < nc; jr += g.NR {
		nr := min(g.NR, nc-jr)
		bp := b[jr*kc : (jr+g.NR)*kc]
		ir := 0
		if nr == g.NR && fullRows > 0 {
			g.RunColumn(kc, a, bp, c[jr:], ldc, beta, fullRows/g.MR)
			ir = fullRows
		}
		for ; ir < mc; ir += g.MR {
			mr := min(g.MR, mc-ir)
			ap := a[ir*kc : (ir+g.MR)*kc]
			g.RunPartial(kc, ap, bp, c[ir*ldc+jr:], ldc, beta, mr, nr, tile)
		}
	}
}

// rowOrderMaxK is the largest k for which an untransposed B is multiplied row
// panel by row panel (serialRows). Against the column order in one binary
// (benchstat-style medians of 5), the row order was 1.7× faster at (32, 32768, 9),
// 1.1–1.3× at k = 16, and still 1.03–1.08× at k = 27 and 32 (m = 64, 128; n = 2048,
// 8192), on AVX-512 and on AVX2 alike.
const rowOrderMaxK = 32

// rowOrderBlock is the size in floats of the blocks of B that serialRows copies
// (k rows of a block of columns): 64 KiB, in L2 while every row panel of A passes
// over it. 32, 64 and 128 KiB measured alike, within the noise.
const rowOrderBlock = 16384

// serialRows computes p, whose B is untransposed and whose k is small, in the row
// order: A is packed whole, and for each block of columns of B every MR-row panel
// of Ã runs along the block with RunRow. With k this small the product is bound by
// writing C, and writing it MR rows at a time, each row a sequential stream, costs
// the least (a column of tiles writes every row of C a little at a time, and with
// a power-of-two ldc all of them fall in the same cache sets).
//
// The block of B is copied, not packed: its k rows side by side in a buffer whose
// stride is not a multiple of 4 KiB, for the same reason (B's own rows, a
// power-of-two ldb apart, would all fall in one L1 set and evict each other).
func serialRows(p gemmProblem, g kernels.GemmMicroKernel, bl blocking, buf *gemmBuffers) {
	k := p.k
	panels := (p.m + g.MR - 1) / g.MR
	buf.a = grow(buf.a, max(bl.mc*bl.kc, panels*g.MR*k))
	a := p.panelsA(g, buf, 0, p.m, 0, k)
	fullRows := p.m / g.MR * g.MR
	nc := max(1, rowOrderBlock/(k*g.NR)) * g.NR
	ldb := nc + 16 // floats: 64 bytes past a multiple of 4 KiB at worst
	buf.b = grow(buf.b, max(bl.kc*bl.nc, k*ldb+k*nc))
	block, packedB := buf.b[:k*ldb], buf.b[k*ldb:]
	for jc := 0; jc < p.n; jc += nc {
		ncb := min(nc, p.n-jc)
		tiles := ncb / g.NR
		if fullRows > 0 && tiles > 0 {
			for q := 0; q < k; q++ {
				copy(block[q*ldb:q*ldb+tiles*g.NR], p.b[q*p.ldb+jc:])
			}
			for ir := 0; ir < fullRows; ir += g.MR {
				g.RunRow(k, a[ir*k:], block, ldb, p.c[ir*p.ldc+jc:], p.ldc, p.beta, tiles)
			}
		}
		if fullRows == p.m && tiles*g.NR == ncb {
			continue
		}
		// The edges: a partial row panel, and partial columns, on packed B.
		packB(g, packedB, p.b, p.ldb, false, 0, k, jc, ncb)
		for jr := 0; jr < ncb; jr += g.NR {
			nr := min(g.NR, ncb-jr)
			ir := fullRows
			if nr < g.NR {
				ir = 0
			}
			for ; ir < p.m; ir += g.MR {
				mr := min(g.MR, p.m-ir)
				g.RunPartial(k, a[ir*k:], packedB[jr*k:], p.c[ir*p.ldc+jc+jr:], p.ldc, p.beta, mr, nr, buf.tile)
			}
		}
	}
}
