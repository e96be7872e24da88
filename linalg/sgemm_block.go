package linalg

import (
	"sync"

	"github.com/rankae/rankae/kernels"
)

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

// gemmBuffers are one worker's packing buffers, kept in a pool so that steady
// state allocates nothing.
type gemmBuffers struct {
	a, b, tile []float32
}

var bufferPool = sync.Pool{New: func() any { return new(gemmBuffers) }}

// getBuffers returns buffers large enough for blocking bl and micro-kernel g.
func getBuffers(g kernels.GemmMicroKernel, bl blocking) *gemmBuffers {
	buf := bufferPool.Get().(*gemmBuffers)
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

// serial computes p on the calling goroutine: the five loops of Goto's algorithm.
func serial(p gemmProblem, g kernels.GemmMicroKernel) {
	bl := blockingFor(g)
	buf := getBuffers(g, bl)
	defer bufferPool.Put(buf)
	for jc := 0; jc < p.n; jc += bl.nc {
		nc := min(bl.nc, p.n-jc)
		for pc := 0; pc < p.k; pc += bl.kc {
			kc := min(bl.kc, p.k-pc)
			packB(g, buf.b, p.b, p.ldb, p.transB, pc, kc, jc, nc)
			for ic := 0; ic < p.m; ic += bl.mc {
				mc := min(bl.mc, p.m-ic)
				packA(g, buf.a, p.a, p.lda, p.transA, ic, mc, pc, kc, p.alpha)
				// The first panel of k applies beta; the others accumulate.
				beta := float32(1)
				if pc == 0 {
					beta = p.beta
				}
				macroKernel(g, kc, mc, nc, buf, p.c[ic*p.ldc+jc:], p.ldc, beta)
			}
		}
	}
}

// macroKernel multiplies the packed mc×kc block of A by the packed kc×nc panel of
// B into C (whose top-left corner is c[0]), one MR×NR tile at a time; the tiles
// at the edges are partial, and nothing outside C is touched.
func macroKernel(g kernels.GemmMicroKernel, kc, mc, nc int, buf *gemmBuffers, c []float32, ldc int, beta float32) {
	fullRows := mc / g.MR * g.MR
	for jr := 0; jr < nc; jr += g.NR {
		nr := min(g.NR, nc-jr)
		bp := buf.b[jr*kc : (jr+g.NR)*kc]
		ir := 0
		if nr == g.NR && fullRows > 0 {
			g.RunColumn(kc, buf.a, bp, c[jr:], ldc, beta, fullRows/g.MR)
			ir = fullRows
		}
		for ; ir < mc; ir += g.MR {
			mr := min(g.MR, mc-ir)
			ap := buf.a[ir*kc : (ir+g.MR)*kc]
			g.RunPartial(kc, ap, bp, c[ir*ldc+jr:], ldc, beta, mr, nr, buf.tile)
		}
	}
}
