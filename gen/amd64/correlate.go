package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The row kernels of the direct convolution (layers/conv_direct.go): one call
// runs all the taps of a kernel row over an image row, instead of one Axpy or
// Dot call per tap.

func correlateRow(a *isa) {
	fn := a.kernel("CorrelateRow", "func(y, x, w []float32)",
		"for i := range y {",
		"\tfor j := range w {",
		"\t\ty[i] += w[j] * x[i+j]",
		"\t}",
		"}")
	y, x, w := base("y"), base("x"), base("w")
	n, taps := length("y"), length("w")
	part := 0
	a.stream(fn, n, 2, func(s step) {
		part++
		loop := fmt.Sprintf("%s_taps%d", fn, part)
		acc := make([]VecVirtual, s.count)
		for j := range acc {
			acc[j] = s.load(y, j)
		}
		xi, tap := GP64(), GP64()
		LEAQ(Mem{Base: x, Index: s.i, Scale: 4}, xi)
		XORQ(tap, tap)
		Label(loop)
		wv := a.vec()
		VBROADCASTSS(Mem{Base: w, Index: tap, Scale: 4}, wv)
		for j := range acc {
			m := Mem{Base: xi, Index: tap, Scale: 4, Disp: j * a.bytes()}
			switch {
			case !s.masked:
				VFMADD231PS(m, wv, acc[j])
			default:
				t := a.vec()
				if a == avx512 {
					VMOVUPS_Z(m, s.mask, t)
				} else {
					VMASKMOVPS(m, s.mask, t)
				}
				VFMADD231PS(t, wv, acc[j])
			}
		}
		INCQ(tap)
		CMPQ(tap, taps)
		JB(LabelRef(loop))
		for j := range acc {
			s.store(acc[j], y, j)
		}
	})
	VZEROUPPER()
	RET()
}

func correlateRowGrad(a *isa) {
	fn := a.kernel("CorrelateRowGrad", "func(g, y, x []float32)",
		"for j := range g {",
		"\tfor i := range y {",
		"\t\tg[j] += y[i] * x[i+j]",
		"\t}",
		"}")
	g, y, x := base("g"), base("y"), base("x")
	tap := GP64()
	XORQ(tap, tap)
	Label(fn + "_tap")
	CMPQ(tap, paramAddrLen("g"))
	JAE(LabelRef(fn + "_end"))
	xj, n := GP64(), GP64()
	LEAQ(Mem{Base: x, Index: tap, Scale: 4}, xj)
	MOVQ(paramAddrLen("y"), n)
	acc := a.zeros(2)
	a.stream(fn+"_dot", n, 2, func(s step) {
		for j := 0; j < s.count; j++ {
			VFMADD231PS(s.src(xj, j), s.load(y, j), acc[j])
		}
	})
	sum := a.horizontalSum(acc)
	VADDSS(Mem{Base: g, Index: tap, Scale: 4}, sum, sum)
	VMOVSS(sum, Mem{Base: g, Index: tap, Scale: 4})
	INCQ(tap)
	JMP(LabelRef(fn + "_tap"))
	Label(fn + "_end")
	VZEROUPPER()
	RET()
}
