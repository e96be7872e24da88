package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels of the one-sided Jacobi SVD (linalg/svd_jacobi*.go): the three dot
// products of a column pair in one pass, accumulated in float64, and the plane
// rotation of a pair, in float32 (the columns) and float64 (the accumulated
// rotations).

// jacobiDotsUnroll is the float64 vectors per stream and pass of JacobiDots: three
// accumulators each, twelve (AVX-512) or six (AVX2) independent FMA chains. The
// float32→float64 conversions (two per vector) bound the loop, not the FMAs.
func (a *isa) jacobiDotsUnroll() int {
	if a == avx512 {
		return 4
	}
	return 2
}

func jacobiKernels() {
	constants()
	for _, a := range isas {
		jacobiDots(a)
		jacobiRotate(a)
		jacobiRotate64(a)
		jacobiPairDots(a)
		jacobiRotatePairs(a)
		jacobiRotatePairs64(a)
		householderApply(a)
	}
	jacobiAngles()
	eigenKernels()
}

// pdHorizontalSum adds the float64 accumulators together, then the lanes of the
// result, and returns the total in the low lane of an XMM register.
func (a *isa) pdHorizontalSum(acc []VecVirtual) Register {
	for len(acc) > 1 {
		half := len(acc) / 2
		for j := 0; j < half; j++ {
			VADDPD(acc[j+half], acc[j], acc[j])
		}
		if len(acc)%2 == 1 {
			VADDPD(acc[len(acc)-1], acc[0], acc[0])
		}
		acc = acc[:half]
	}
	v := acc[0]
	lo := XMM()
	if a == avx512 {
		hi := YMM()
		VEXTRACTF64X4(U8(1), v, hi)
		VADDPD(hi, v.AsY(), hi)
		VEXTRACTF128(U8(1), hi, lo)
		VADDPD(lo, hi.AsX(), lo)
	} else {
		VEXTRACTF128(U8(1), v, lo)
		VADDPD(lo, v.AsX(), lo)
	}
	t := XMM()
	VPERMILPD(U8(1), lo, t)
	VADDSD(t, lo, lo)
	return lo
}

func jacobiDots(a *isa) {
	fn := a.kernel("JacobiDots", "func(x, y []float32) (xx, yy, xy float64)",
		"for i := range x {",
		"\txx += float64(x[i]) * float64(x[i])",
		"\tyy += float64(y[i]) * float64(y[i])",
		"\txy += float64(x[i]) * float64(y[i])",
		"}")
	xx, yy, xy := a.dotsLoop(fn, base("x"), base("y"), length("x"), a.jacobiDotsUnroll())
	Store(xx, ReturnIndex(0))
	Store(yy, ReturnIndex(1))
	Store(xy, ReturnIndex(2))
	VZEROUPPER()
	RET()
}

// dotsLoop emits the loop of JacobiDots over the n float32 at x and y (n is
// consumed) and returns Σx², Σy², Σxy in the low lanes of three XMM registers.
// Its labels start with label.
func (a *isa) dotsLoop(label string, x, y, n GPVirtual, unroll int) (xx, yy, xy Register) {
	dl := a.lanes / 2 // float64 lanes
	accXX, accYY, accXY := a.zeros(unroll), a.zeros(unroll), a.zeros(unroll)
	i := GP64()
	XORQ(i, i)
	// VCVTPS2PD reads dl float32 (half a vector) from memory and widens them.
	half := func(base Register, j int) Mem { return Mem{Base: base, Index: i, Scale: 4, Disp: 4 * dl * j} }
	body := func(count int) {
		for j := 0; j < count; j++ {
			vx, vy := a.vec(), a.vec()
			VCVTPS2PD(half(x, j), vx)
			VCVTPS2PD(half(y, j), vy)
			VFMADD231PD(vx, vx, accXX[j])
			VFMADD231PD(vy, vy, accYY[j])
			VFMADD231PD(vy, vx, accXY[j])
		}
	}
	block := unroll * dl
	Label(label + "_block")
	CMPQ(n, U32(block))
	JB(LabelRef(label + "_single"))
	body(unroll)
	ADDQ(U32(block), i)
	SUBQ(U32(block), n)
	JMP(LabelRef(label + "_block"))

	Label(label + "_single")
	CMPQ(n, U32(dl))
	JB(LabelRef(label + "_reduce"))
	body(1)
	ADDQ(U32(dl), i)
	SUBQ(U32(dl), n)
	JMP(LabelRef(label + "_single"))

	// Fewer than dl elements are left: reduce the vectors to scalars, then add the
	// rest one by one (a VEX scalar operation would clear the upper lanes of a
	// vector accumulator).
	Label(label + "_reduce")
	xx, yy, xy = a.pdHorizontalSum(accXX), a.pdHorizontalSum(accYY), a.pdHorizontalSum(accXY)
	Label(label + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(label + "_done"))
	sx, sy := XMM(), XMM()
	VCVTSS2SD(Mem{Base: x, Index: i, Scale: 4}, sx, sx)
	VCVTSS2SD(Mem{Base: y, Index: i, Scale: 4}, sy, sy)
	VFMADD231SD(sx, sx, xx)
	VFMADD231SD(sy, sy, yy)
	VFMADD231SD(sy, sx, xy)
	INCQ(i)
	DECQ(n)
	JMP(LabelRef(label + "_tail"))
	Label(label + "_done")
	return xx, yy, xy
}

func jacobiRotate(a *isa) {
	fn := a.kernel("JacobiRotate", "func(x, y []float32, c, s float32)",
		"for i := range x {",
		"\tx[i], y[i] = c*x[i] - s*y[i], s*x[i] + c*y[i]",
		"}")
	a.rotateLoop(fn, base("x"), base("y"), length("x"), a.broadcast("c"), a.broadcast("s"))
	VZEROUPPER()
	RET()
}

// rotateLoop emits the loop of JacobiRotate over the n float32 at x and y (n is
// consumed), with c and s in every lane. Its labels start with label.
func (a *isa) rotateLoop(label string, x, y, n GPVirtual, c, s VecVirtual) {
	a.stream(label, n, mapUnroll, func(st step) {
		for j := 0; j < st.count; j++ {
			vx, vy := st.load(x, j), st.load(y, j)
			nx, ny := a.vec(), a.vec()
			VMULPS(vy, s, nx)
			VFMSUB231PS(c, vx, nx) // nx = c·x − s·y
			VMULPS(vy, c, ny)
			VFMADD231PS(s, vx, ny) // ny = s·x + c·y
			st.store(nx, x, j)
			st.store(ny, y, j)
		}
	})
}

func jacobiRotate64(a *isa) {
	fn := a.kernel("JacobiRotate64", "func(x, y []float64, c, s float64)",
		"for i := range x {",
		"\tx[i], y[i] = c*x[i] - s*y[i], s*x[i] + c*y[i]",
		"}")
	c, s := a.vec(), a.vec()
	VBROADCASTSD(paramAddr("c"), c)
	VBROADCASTSD(paramAddr("s"), s)
	a.rotate64Loop(fn, base("x"), base("y"), length("x"), c, s)
	VZEROUPPER()
	RET()
}

// rotate64Loop emits the loop of JacobiRotate64 over the n float64 at x and y
// (n is consumed), with c and s in every lane. Its labels start with label.
func (a *isa) rotate64Loop(label string, x, y, n GPVirtual, c, s VecVirtual) {
	dl := a.lanes / 2
	i := GP64()
	XORQ(i, i)
	addr := func(base Register, j int) Mem { return Mem{Base: base, Index: i, Scale: 8, Disp: 8 * dl * j} }
	body := func(count int) {
		for j := 0; j < count; j++ {
			vx, vy := a.vec(), a.vec()
			VMOVUPD(addr(x, j), vx)
			VMOVUPD(addr(y, j), vy)
			nx, ny := a.vec(), a.vec()
			VMULPD(vy, s, nx)
			VFMSUB231PD(c, vx, nx)
			VMULPD(vy, c, ny)
			VFMADD231PD(s, vx, ny)
			VMOVUPD(nx, addr(x, j))
			VMOVUPD(ny, addr(y, j))
		}
	}
	block := mapUnroll * dl
	Label(label + "_block")
	CMPQ(n, U32(block))
	JB(LabelRef(label + "_single"))
	body(mapUnroll)
	ADDQ(U32(block), i)
	SUBQ(U32(block), n)
	JMP(LabelRef(label + "_block"))

	Label(label + "_single")
	CMPQ(n, U32(dl))
	JB(LabelRef(label + "_tail"))
	body(1)
	ADDQ(U32(dl), i)
	SUBQ(U32(dl), n)
	JMP(LabelRef(label + "_single"))

	// The last n < dl elements one by one, with the low lanes of c and s.
	Label(label + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(label + "_done"))
	vx, vy, nx, ny := XMM(), XMM(), XMM(), XMM()
	VMOVSD(Mem{Base: x, Index: i, Scale: 8}, vx)
	VMOVSD(Mem{Base: y, Index: i, Scale: 8}, vy)
	VMULSD(vy, s.AsX(), nx)
	VFMSUB231SD(c.AsX(), vx, nx)
	VMULSD(vy, c.AsX(), ny)
	VFMADD231SD(s.AsX(), vx, ny)
	VMOVSD(nx, Mem{Base: x, Index: i, Scale: 8})
	VMOVSD(ny, Mem{Base: y, Index: i, Scale: 8})
	INCQ(i)
	DECQ(n)
	JMP(LabelRef(label + "_tail"))
	Label(label + "_done")
}
