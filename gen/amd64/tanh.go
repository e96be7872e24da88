package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// tanhConsts are the constants of the Tanh kernel, in the order of the
// tanhC* indexes: below tanhSmall an odd polynomial, x + x³·P(x²) (P of
// degree 5, a least-squares fit for the relative error on Chebyshev nodes of
// [0, 0.625]: under 0.8 ulp in float32), above it 1 − 2/(e^{2|x|} + 1), where
// no cancellation is left, with e^z as 2ⁿ·e^r, r = z − n·ln 2 (ln 2 split in
// two for the reduction) and e^r by its Taylor polynomial of degree 7
// (truncation under 6e-9 for |r| ≤ ln 2 / 2). |x| is clamped at 9.5, beyond
// which tanh rounds to 1 in float32.
var tanhConsts = []float32{
	math.Float32frombits(0x7fffffff), // tanhCAbs
	0.625,                            // tanhCSmall
	-0.33333331010048917,             // tanhCP0 … tanhCP5
	0.13333212487729434,
	-0.05394745228503312,
	0.02170398952974244,
	-0.008184633579758262,
	0.002148957375462648,
	9.5,                                                            // tanhCClamp
	2 * math.Log2E,                                                 // tanhCLog2E2: n = round(2|x|·log₂e)
	0.693359375,                                                    // tanhCLn2Hi: ln 2 to 10 bits, so that n·hi is exact
	-2.12194440e-4,                                                 // tanhCLn2Lo: ln 2 − hi
	1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1, // tanhCE7 … tanhCE0
	2, // tanhCTwo
}

// Indexes into tanhConsts.
const (
	tanhCAbs    = 0
	tanhCSmall  = 1
	tanhCP0     = 2 // … 7
	tanhCClamp  = 8
	tanhCLog2E2 = 9
	tanhCLn2Hi  = 10
	tanhCLn2Lo  = 11
	tanhCE7     = 12 // … 19, E0 = 1 last
	tanhCTwo    = 20
)

var tanhTable Mem

func tanhConstants() {
	tanhTable = GLOBL("tanhConsts", RODATA|NOPTR)
	for i, c := range tanhConsts {
		DATA(4*i, U32(math.Float32bits(c)))
	}
}

func tanhKernel(a *isa) {
	fn := a.kernel("Tanh", "func(dst, x []float32)",
		"for i := range dst { dst[i] = tanh(x[i]) }",
		"",
		"to float32 accuracy (within 2 ulp); NaN propagates and tanh(±0) = ±0.")
	dst, x, n := base("dst"), base("x"), length("dst")
	c := func(i int) VecVirtual { return a.broadcastConst(tanhTable.Offset(4 * i)) }
	a.stream(fn, n, 1, func(s step) {
		xv := s.load(x, 0)
		abs := a.vec()
		VANDPS(c(tanhCAbs), xv, abs)
		// Small |x|: x + x·(x²·P(x²)).
		u := a.vec()
		VMULPS(xv, xv, u)
		p := c(tanhCP0 + 5)
		for k := 4; k >= 0; k-- {
			VFMADD213PS(c(tanhCP0+k), u, p) // p = p·u + c_k
		}
		VMULPS(u, p, p)
		small := a.vec()
		VMOVAPS(xv, small)
		VFMADD231PS(p, xv, small) // x + x·p
		// Large |x|: 1 − 2/(e^{2a} + 1). VMINPS
		// returns its second source, a, when a is NaN.
		clamped := a.vec()
		VMINPS(abs, c(tanhCClamp), clamped)
		nf := a.vec()
		VMULPS(c(tanhCLog2E2), clamped, nf)
		ni := a.vec()
		VCVTPS2DQ(nf, ni) // round to nearest
		VCVTDQ2PS(ni, nf)
		z := a.vec()
		VADDPS(clamped, clamped, z)
		VFNMADD231PS(c(tanhCLn2Hi), nf, z) // z − n·hi
		VFNMADD231PS(c(tanhCLn2Lo), nf, z) // − n·lo
		e := c(tanhCE7)
		for k := 1; k < 8; k++ {
			VFMADD213PS(c(tanhCE7+k), z, e)
		}
		// 2ⁿ from its exponent bits: n << 23 plus the bits of 1.
		one := c(tanhCE7 + 7)
		VPSLLD(U8(23), ni, ni)
		VPADDD(one, ni, ni)
		VMULPS(ni, e, e)
		VADDPS(one, e, e)
		q := c(tanhCTwo)
		VDIVPS(e, q, q)
		large := a.vec()
		VSUBPS(q, one, large)
		if a == avx512 {
			m := K()
			VCMPPS(U8(cmpLTOQ), c(tanhCSmall), abs, m)
			VBLENDMPS(small, large, m, large)
		} else {
			m := a.vec()
			VCMPPS(U8(cmpLTOQ), c(tanhCSmall), abs, m)
			VBLENDVPS(m, small, large, large)
		}
		// The sign of x, on both paths: the polynomial's x + x·p is +0 for
		// x = −0.
		sign := a.vec()
		VANDNPS(xv, c(tanhCAbs), sign) // x & ¬abs mask: the sign bit
		VORPS(sign, large, large)
		s.store(large, dst, 0)
	})
	VZEROUPPER()
	RET()
}
