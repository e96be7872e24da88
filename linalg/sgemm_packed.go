package linalg

import (
	"fmt"

	"github.com/rankae/rankae/kernels"
)

// PackedA is alpha·op(A), an m×k matrix, packed once into the micro-kernel's
// panels, for a run of products with different B that would otherwise pack
// the same A each time: a convolution's weights against its bands of columns.
// Pack fills it, reusing its storage; it is a copy, so a change to A after
// Pack is not seen. The zero value is a 0×0 matrix.
type PackedA struct {
	g    kernels.GemmMicroKernel
	m, k int
	// data holds ⌈k/KC⌉ blocks of KC columns (the last narrower), each
	// ⌈m/MR⌉ micro-panels as packA lays them out, so that the block of
	// columns pc to pc+KC starts at pc·⌈m/MR⌉·MR.
	data []float32
}

// Pack packs alpha·op(A) into p, where op(A) is m×k: A itself (m×k, stride
// lda) or, when transA is set, the transpose of the k×m matrix A.
func (p *PackedA) Pack(transA bool, m, k int, alpha float32, a []float32, lda int) {
	p.pack(kernels.Active(), transA, m, k, alpha, a, lda)
}

func (p *PackedA) pack(v *kernels.Variant, transA bool, m, k int, alpha float32, a []float32, lda int) {
	if m < 0 || k < 0 {
		panic(fmt.Sprintf("linalg: PackedA.Pack: m, k = %d, %d < 0", m, k))
	}
	rows, cols := m, k
	if transA {
		rows, cols = k, m
	}
	checkMatrix("PackedA.Pack", "a", "lda", rows, cols, a, lda)
	g := v.Gemm()
	p.g, p.m, p.k = g, m, k
	mp := p.paddedRows()
	p.data = grow(p.data, mp*k)
	kc := blockingFor(g).kc
	for pc := 0; pc < k; pc += kc {
		packA(g, p.data[pc*mp:], a, lda, transA, 0, m, pc, min(kc, k-pc), alpha)
	}
}

// Dims returns the packed matrix's rows and columns.
func (p *PackedA) Dims() (m, k int) { return p.m, p.k }

func (p *PackedA) paddedRows() int {
	if p.m == 0 {
		return 0
	}
	return (p.m + p.g.MR - 1) / p.g.MR * p.g.MR
}

// block returns the panels of rows i0 on (a multiple of MR) in the block of
// columns pc to pc+kc.
func (p *PackedA) block(i0, pc, kc int) []float32 {
	return p.data[pc*p.paddedRows()+i0*kc:]
}

// SgemmPacked computes C = A·op(B) + beta·C as Sgemm does, for the m×k matrix
// A packed in a (alpha included): op(B) is k×n, B itself or, when transB is
// set, the transpose of the n×k matrix B; C is m×n.
func SgemmPacked(a *PackedA, transB bool, n int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	m, k := a.m, a.k
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	if n < 0 {
		panic(fmt.Sprintf("linalg: SgemmPacked: n = %d < 0", n))
	}
	checkMatrix("SgemmPacked", "b", "ldb", rowsB, colsB, b, ldb)
	checkMatrix("SgemmPacked", "c", "ldc", m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	p := gemmProblem{
		transB: transB,
		m:      m, n: n, k: k, beta: beta,
		b: b, ldb: ldb, c: c, ldc: ldc,
		packed: a,
	}
	run(p, a.g, Threads())
}
