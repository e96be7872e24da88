package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// householderApply emits HouseholderApply: the reflector of the SVD's QR
// (linalg/svd_qr.go) applied to a run of columns in one call, a dot product
// and an axpy per column, instead of two calls per column. The columns are
// short (m − j rows of an m×n matrix with m ≥ 2n), so the dot product keeps
// two accumulators, not Dot's eight.
func householderApply(a *isa) {
	fn := a.kernel("HouseholderApply", "func(tail []float32, tau float32, c []float32, ldc, ncols int)",
		"for k := 0; k < ncols; k++ {",
		"\tcol := c[k*ldc:][:1+len(tail)]",
		"\td := tau * (col[0] + Dot(tail, col[1:]))",
		"\tif d != 0 {",
		"\t\tcol[0] -= d",
		"\t\tAxpy(-d, tail, col[1:])",
		"\t}",
		"}")
	tail, c := base("tail"), base("c")
	ldc := Load(Param("ldc"), GP64()).(GPVirtual)
	tau, zero := XMM(), XMM()
	VMOVSS(paramAddr("tau"), tau)
	VXORPS(zero, zero, zero)
	k := GP64()
	XORQ(k, k)
	Label(fn + "_col")
	CMPQ(k, paramAddr("ncols"))
	JAE(LabelRef(fn + "_done"))
	col := GP64()
	MOVQ(k, col)
	IMULQ(ldc, col)
	LEAQ(Mem{Base: c, Index: col, Scale: 4}, col)
	rest := GP64()
	LEAQ(Mem{Base: col, Disp: 4}, rest)

	n := GP64()
	MOVQ(paramAddrLen("tail"), n)
	acc := a.zeros(2)
	a.stream(fn+"_dot", n, 2, func(s step) {
		for j := 0; j < s.count; j++ {
			VFMADD231PS(s.src(rest, j), s.load(tail, j), acc[j])
		}
	})
	d := a.horizontalSum(acc)
	VADDSS(Mem{Base: col}, d, d)
	VMULSS(tau, d, d)
	VUCOMISS(zero, d)
	JE(LabelRef(fn + "_next")) // d = 0 (the inputs are finite: never unordered)

	c0 := XMM()
	VMOVSS(Mem{Base: col}, c0)
	VSUBSS(d, c0, c0)
	VMOVSS(c0, Mem{Base: col})
	negD := a.vec()
	VSUBSS(d, zero, d)
	VBROADCASTSS(d, negD)
	n2 := GP64()
	MOVQ(paramAddrLen("tail"), n2)
	a.stream(fn+"_axpy", n2, mapUnroll, func(s step) {
		for j := 0; j < s.count; j++ {
			v := s.load(rest, j)
			VFMADD231PS(s.src(tail, j), negD, v)
			s.store(v, rest, j)
		}
	})
	Label(fn + "_next")
	INCQ(k)
	JMP(LabelRef(fn + "_col"))
	Label(fn + "_done")
	VZEROUPPER()
	RET()
}
