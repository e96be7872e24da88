package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The batched kernels of one round-robin Jacobi step (kernels/jacobi_step.go):
// the loops of JacobiDots, JacobiRotate and JacobiRotate64 run over a list of
// disjoint column pairs in one call, and the rotation angles of four pairs at
// a time come from vector square roots and divisions.

// cmpGEOQ and cmpGTOQ are the VCMPPD predicates "≥" and ">", ordered, quiet.
const (
	cmpGEOQ = 0x1d
	cmpGTOQ = 0x1e
)

// one64, sign64 and abs64 are the float64 constant 1 and the masks of the sign
// bit and of the other bits.
var one64, sign64, abs64 Mem

func jacobiConstants() {
	one64 = GLOBL("one64", RODATA|NOPTR)
	DATA(0, U64(0x3ff0000000000000))
	sign64 = GLOBL("sign64", RODATA|NOPTR)
	DATA(0, U64(1<<63))
	abs64 = GLOBL("abs64", RODATA|NOPTR)
	DATA(0, U64(1<<63-1))
}

// pairColumn returns the address of column idx[k] of the matrix at m with rows
// elements of size bytes per column.
func pairColumn(m, idx, k, rows GPVirtual, size uint8) GPVirtual {
	c := GP64()
	MOVQ(Mem{Base: idx, Index: k, Scale: 8}, c)
	IMULQ(rows, c)
	LEAQ(Mem{Base: m, Index: c, Scale: size}, c)
	return c
}

// pairDotsUnroll is JacobiPairDots' float64 vectors per stream and pass. The
// columns of the small SVDs are short (32 to 128 rows), where the reductions
// of JacobiDots' twelve accumulators cost more than their FMAs; the pairs are
// independent, so the FMA latency is hidden across pairs instead.
const pairDotsUnroll = 1

func jacobiPairDots(a *isa) {
	fn := a.kernel("JacobiPairDots", "func(cols []float32, rows int, p, q []int, xx, yy, xy []float64)",
		"for k := range p {",
		"\txx[k], yy[k], xy[k] = JacobiDots(cols[p[k]*rows:][:rows], cols[q[k]*rows:][:rows])",
		"}")
	pairLoop(fn, "cols", 4, false, func(k, x, y, n GPVirtual) {
		xx, yy, xy := a.dotsLoop(fn+"_dots", x, y, n, pairDotsUnroll)
		for _, out := range []struct {
			name string
			v    Register
		}{{"xx", xx}, {"yy", yy}, {"xy", xy}} {
			VMOVSD(out.v, Mem{Base: base(out.name), Index: k, Scale: 8})
		}
	})
}

func jacobiRotatePairs(a *isa) {
	fn := a.kernel("JacobiRotatePairs", "func(cols []float32, rows int, p, q []int, c, s []float64)",
		"for k := range p {",
		"\tif s[k] != 0 {",
		"\t\tJacobiRotate(cols[p[k]*rows:][:rows], cols[q[k]*rows:][:rows], float32(c[k]), float32(s[k]))",
		"\t}",
		"}")
	pairLoop(fn, "cols", 4, true, func(k, x, y, n GPVirtual) {
		cs, sn := a.vec(), a.vec()
		for _, r := range []struct {
			name string
			v    VecVirtual
		}{{"c", cs}, {"s", sn}} {
			t := XMM()
			VXORPS(t, t, t)
			VCVTSD2SS(Mem{Base: base(r.name), Index: k, Scale: 8}, t, t)
			VBROADCASTSS(t, r.v)
		}
		a.rotateLoop(fn+"_rot", x, y, n, cs, sn)
	})
}

func jacobiRotatePairs64(a *isa) {
	fn := a.kernel("JacobiRotatePairs64", "func(w []float64, rows int, p, q []int, c, s []float64)",
		"for k := range p {",
		"\tif s[k] != 0 {",
		"\t\tJacobiRotate64(w[p[k]*rows:][:rows], w[q[k]*rows:][:rows], c[k], s[k])",
		"\t}",
		"}")
	pairLoop(fn, "w", 8, true, func(k, x, y, n GPVirtual) {
		cs, sn := a.vec(), a.vec()
		VBROADCASTSD(Mem{Base: base("c"), Index: k, Scale: 8}, cs)
		VBROADCASTSD(Mem{Base: base("s"), Index: k, Scale: 8}, sn)
		a.rotate64Loop(fn+"_rot", x, y, n, cs, sn)
	})
}

// pairLoop emits the body of a pair kernel: for each pair k of the slices p
// and q, body works on the columns at x and y (p[k] and q[k] of the matrix
// parameter, elements of size bytes, n = rows of them, n to be consumed).
// With skipUnrotated, the pairs whose s[k] is ±0 are passed over: JacobiAngles
// marks the pairs it does not rotate so, and the step then needs no list of
// those it does.
func pairLoop(fn, matrix string, size uint8, skipUnrotated bool, body func(k, x, y, n GPVirtual)) {
	m, p, q := base(matrix), base("p"), base("q")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	k := GP64()
	XORQ(k, k)
	Label(fn + "_pair")
	CMPQ(k, paramAddrLen("p"))
	JAE(LabelRef(fn + "_done"))
	if skipUnrotated {
		bits := GP64()
		MOVQ(Mem{Base: base("s"), Index: k, Scale: 8}, bits)
		SHLQ(U8(1), bits)
		JZ(LabelRef(fn + "_next"))
	}
	x, y := pairColumn(m, p, k, rows, size), pairColumn(m, q, k, rows, size)
	n := GP64()
	MOVQ(rows, n)
	body(k, x, y, n)
	Label(fn + "_next")
	INCQ(k)
	JMP(LabelRef(fn + "_pair"))
	Label(fn + "_done")
	VZEROUPPER()
	RET()
}

// paramAddrLen returns the stack address of the length of slice parameter name.
func paramAddrLen(name string) Mem {
	arg, err := Param(name).Len().Resolve()
	if err != nil {
		panic(err)
	}
	return arg.Addr
}

// jacobiAngles emits JacobiAnglesAVX2, four pairs to a YMM vector; the AVX-512
// variant uses it too (a step has n/2 pairs, 16 at n = 32, and the square
// roots and divisions are no faster per lane in ZMM). The operations are those
// of kernels.JacobiRotation in the same order, unfused, so the results are the
// generic ones bit for bit.
func jacobiAngles() {
	jacobiConstants()
	fn := avx2.kernel("JacobiAngles", "func(xx, yy, xy []float64, tol, small float64, c, s []float64) (rotations int)",
		"for k := range xx {",
		"\tc[k], s[k], _, ok = JacobiRotation(xx[k], yy[k], xy[k], tol, small)",
		"\tif ok { rotations++ }",
		"}")
	pxx, pyy, pxy, pc, ps := base("xx"), base("yy"), base("xy"), base("c"), base("s")
	n := length("xx")
	tol2, small, one, sign, absMask := YMM(), YMM(), YMM(), YMM(), YMM()
	VBROADCASTSD(paramAddr("tol"), tol2)
	VMULPD(tol2, tol2, tol2)
	VBROADCASTSD(paramAddr("small"), small)
	VBROADCASTSD(one64, one)
	VBROADCASTSD(sign64, sign)
	VBROADCASTSD(abs64, absMask)
	count, i := GP64(), GP64()
	XORQ(count, count)
	XORQ(i, i)
	addr := func(base Register) Mem { return Mem{Base: base, Index: i, Scale: 8} }
	body := func(load func(Register) VecVirtual, store func(VecVirtual, Register)) {
		app, aqq, apq := load(pxx), load(pyy), load(pxy)
		// Rotate when app ≥ small, aqq ≥ small and apq² > tol²·app·aqq.
		m, m2, lhs, rhs := YMM(), YMM(), YMM(), YMM()
		VCMPPD(U8(cmpGEOQ), small, app, m)
		VCMPPD(U8(cmpGEOQ), small, aqq, m2)
		VANDPD(m2, m, m)
		VMULPD(apq, apq, lhs)
		VMULPD(app, tol2, rhs)
		VMULPD(aqq, rhs, rhs)
		VCMPPD(U8(cmpGTOQ), rhs, lhs, m2)
		VANDPD(m2, m, m)
		// d = aqq − app, e = 2apq, g = |d| + √(d² + e²), e = −e where d < 0.
		d, e, t, g := YMM(), YMM(), YMM(), YMM()
		VSUBPD(app, aqq, d)
		VADDPD(apq, apq, e)
		VMULPD(d, d, g)
		VMULPD(e, e, t)
		VADDPD(t, g, g)
		VSQRTPD(g, g)
		VANDPD(absMask, d, t)
		VADDPD(g, t, g)
		VANDPD(sign, d, t)
		VXORPD(t, e, e)
		// rn = 1/√(g² + e²), c = g·rn, s = e·rn; (1, 0) where not rotated.
		rn := YMM()
		VMULPD(g, g, rn)
		VMULPD(e, e, t)
		VADDPD(t, rn, rn)
		VSQRTPD(rn, rn)
		VDIVPD(rn, one, rn)
		cs, sn := YMM(), YMM()
		VMULPD(rn, g, cs)
		VMULPD(rn, e, sn)
		VBLENDVPD(m, cs, one, cs)
		VANDPD(m, sn, sn)
		store(cs, pc)
		store(sn, ps)
		bits := GP64()
		VMOVMSKPD(m, bits.As32())
		POPCNTQ(bits, bits)
		ADDQ(bits, count)
	}
	Label(fn + "_block")
	CMPQ(n, U8(4))
	JB(LabelRef(fn + "_tail"))
	body(func(b Register) VecVirtual {
		v := YMM()
		VMOVUPD(addr(b), v)
		return v
	}, func(v VecVirtual, b Register) { VMOVUPD(v, addr(b)) })
	ADDQ(U8(4), i)
	SUBQ(U8(4), n)
	JMP(LabelRef(fn + "_block"))

	// The last 1–3 pairs with masked loads (zeros, which do not rotate) and
	// stores. avx2TailMasks holds 32-bit words: 2n of them make n lanes.
	Label(fn + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(fn + "_done"))
	tab, mask := GP64(), YMM()
	LEAQ(avx2TailMasks, tab)
	SHLQ(U8(1), n)
	NEGQ(n)
	VMOVUPS(Mem{Base: tab, Index: n, Scale: 4, Disp: 32}, mask)
	body(func(b Register) VecVirtual {
		v := YMM()
		VMASKMOVPD(addr(b), mask, v)
		return v
	}, func(v VecVirtual, b Register) { VMASKMOVPD(v, mask, addr(b)) })
	Label(fn + "_done")
	Store(count, ReturnIndex(0))
	VZEROUPPER()
	RET()
}
