package main

import "fmt"

// The kernels of the one-sided Jacobi SVD (linalg/svd_jacobi*.go): the three dot
// products of a column pair in one pass, accumulated in float64, and the plane
// rotation of a pair in float32 (the columns) and float64 (the accumulated
// rotations). The float64 forms below are emitted as WORD like those of encode.go;
// TestWordsMatchGNUAs assembles every one of them.

// Encodings of the float64 (sz = 1, Vd.2D) forms, register fields zero.
const (
	encFADD2D   = 0x4e60d400
	encFMUL2D   = 0x6e60dc00
	encFMLA2D   = 0x4e60cc00
	encFMLS2D   = 0x4ee0cc00
	encFCVTL    = 0x0e617800 // Vd.2D = float64(Vn.S[0..1])
	encFCVTL2   = 0x4e617800 // Vd.2D = float64(Vn.S[2..3])
	encFADDPD   = 0x7e70d800 // Dd = Vn.D[0] + Vn.D[1]
	encDUP2DEl0 = 0x4e080400 // Vd.2D = Vn.D[0] in both lanes
)

func v2d(v VReg) string { return fmt.Sprintf("v%d.2d", int(v)) }

func (fn *Func) rrr2d(mnemonic string, base uint32, m, n, d VReg) {
	fn.word(rrr(base, d, n, m), fmt.Sprintf("%s %s, %s, %s", mnemonic, v2d(d), v2d(n), v2d(m)))
}

// FADD2D computes d = n + m on two float64 lanes.
func (fn *Func) FADD2D(m, n, d VReg) { fn.rrr2d("fadd", encFADD2D, m, n, d) }

// FMUL2D computes d = n * m on two float64 lanes.
func (fn *Func) FMUL2D(m, n, d VReg) { fn.rrr2d("fmul", encFMUL2D, m, n, d) }

// FMLA2D computes d += n * m on two float64 lanes, with one rounding.
func (fn *Func) FMLA2D(m, n, d VReg) { fn.rrr2d("fmla", encFMLA2D, m, n, d) }

// FMLS2D computes d -= n * m on two float64 lanes, with one rounding.
func (fn *Func) FMLS2D(m, n, d VReg) { fn.rrr2d("fmls", encFMLS2D, m, n, d) }

// FCVTL widens float32 lanes 0 and 1 of n to the two float64 lanes of d.
func (fn *Func) FCVTL(n, d VReg) {
	fn.word(rr(encFCVTL, d, n), fmt.Sprintf("fcvtl %s, v%d.2s", v2d(d), int(n)))
}

// FCVTL2 widens float32 lanes 2 and 3 of n to the two float64 lanes of d.
func (fn *Func) FCVTL2(n, d VReg) {
	fn.word(rr(encFCVTL2, d, n), fmt.Sprintf("fcvtl2 %s, %s", v2d(d), v4s(n)))
}

// FADDPD sets d (as a float64 scalar) to n.D[0] + n.D[1], zeroing the rest of d.
func (fn *Func) FADDPD(n, d VReg) {
	fn.word(rr(encFADDPD, d, n), fmt.Sprintf("faddp d%d, %s", int(d), v2d(n)))
}

// DUP2D broadcasts float64 lane 0 of n to both lanes of d.
func (fn *Func) DUP2D(n, d VReg) {
	fn.word(rr(encDUP2DEl0, d, n), fmt.Sprintf("dup %s, v%d.d[0]", v2d(d), int(n)))
}

// FMOVDArg loads the float64 argument name into lane 0 of v.
func (fn *Func) FMOVDArg(name string, v VReg) {
	if fn.args[name].size != 8 {
		panic(fmt.Sprintf("gen/arm64: %s: %s is not 8 bytes", fn.name, name))
	}
	fn.inst("FMOVD", fn.Arg(name), fmt.Sprintf("F%d", int(v)))
}

// FMOVDRet stores lane 0 of v (a float64) to the result slot name.
func (fn *Func) FMOVDRet(v VReg, name string) {
	if fn.args[name].size != 8 {
		panic(fmt.Sprintf("gen/arm64: %s: %s is not 8 bytes", fn.name, name))
	}
	fn.inst("FMOVD", fmt.Sprintf("F%d", int(v)), fn.Arg(name))
}

// FMOVDLoadP loads the float64 at (base) into lane 0 of v, zeroing lane 1, then
// base += 8.
func (fn *Func) FMOVDLoadP(base Reg, v VReg) {
	fn.inst("FMOVD.P", fmt.Sprintf("8(%s)", base), fmt.Sprintf("F%d", int(v)))
}

// FMOVDLoad loads the float64 at (base) into lane 0 of v, zeroing lane 1.
func (fn *Func) FMOVDLoad(base Reg, v VReg) {
	fn.inst("FMOVD", fmt.Sprintf("(%s)", base), fmt.Sprintf("F%d", int(v)))
}

// FMOVDStoreP stores lane 0 of v (a float64) to (base), then base += 8.
func (fn *Func) FMOVDStoreP(v VReg, base Reg) {
	fn.inst("FMOVD.P", fmt.Sprintf("F%d", int(v)), fmt.Sprintf("8(%s)", base))
}

func jacobiKernels(f *File) {
	jacobiDots(f)
	jacobiRotate(f)
	jacobiRotate64(f)
	jacobiPairDots(f)
	jacobiRotatePairs(f)
	jacobiRotatePairs64(f)
	eigenKernels(f)
}

func jacobiDots(f *File) {
	fn := f.Func("JacobiDotsNEON", "func(x, y []float32) (xx, yy, xy float64)",
		"for i := range x {",
		"	xx += float64(x[i]) * float64(x[i])",
		"	yy += float64(y[i]) * float64(y[i])",
		"	xy += float64(x[i]) * float64(y[i])",
		"}")
	x, y, n := Reg(0), Reg(1), Reg(2)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_len", n)
	dotsBody(fn, x, y, n)
	fn.FMOVDRet(dotsXX, "xx")
	fn.FMOVDRet(dotsYY, "yy")
	fn.FMOVDRet(dotsXY, "xy")
	fn.RET()
	fn.End()
}

// The registers whose lane 0 holds dotsBody's results.
const dotsXX, dotsYY, dotsXY VReg = 16, 20, 24

// dotsBody emits the loops of JacobiDots over the n (≥ 1) floats at x and y,
// consuming x, y and n, and leaves Σx², Σy², Σxy in lane 0 of dotsXX, dotsYY
// and dotsXY. Its labels are loop8, tail1, loop1 and done.
func dotsBody(fn *Func, x, y, n Reg) {
	// Data: x in V0–V1 widened to V4–V7, y in V2–V3 widened to V8–V11.
	// Accumulators: four float64 pairs per dot product.
	const (
		vx, vy     VReg = 0, 2
		wx, wy     VReg = 4, 8
		xx, yy, xy      = dotsXX, dotsYY, dotsXY
	)
	for j := VReg(0); j < 12; j++ {
		fn.Zero(xx + j)
	}
	accumulate := func(regs VReg) {
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(wx+j, wx+j, xx+j)
		}
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(wy+j, wy+j, yy+j)
		}
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(wy+j, wx+j, xy+j)
		}
	}
	// Eight floats per stream and pass; n is kept biased by 8 so that one SUBS
	// decides the loop.
	fn.SUBS(8, n)
	fn.BLT("tail1")
	fn.PCALIGN(16)
	fn.Label("loop8")
	fn.VLD1P(x, vx, 2)
	fn.VLD1P(y, vy, 2)
	for j := VReg(0); j < 2; j++ {
		fn.FCVTL(vx+j, wx+2*j)
		fn.FCVTL2(vx+j, wx+2*j+1)
		fn.FCVTL(vy+j, wy+2*j)
		fn.FCVTL2(vy+j, wy+2*j+1)
	}
	accumulate(4)
	fn.SUBS(8, n)
	fn.BGE("loop8")

	// One float per pass: FMOVS zeroes lanes 1–3, so lane 1 of the widened value
	// is 0 and adds nothing.
	fn.Label("tail1")
	fn.ADDS(8, n)
	fn.BEQ("done")
	fn.Label("loop1")
	fn.FMOVSLoadP(x, vx)
	fn.FMOVSLoadP(y, vy)
	fn.FCVTL(vx, wx)
	fn.FCVTL(vy, wy)
	accumulate(1)
	fn.SUBS(1, n)
	fn.BNE("loop1")

	fn.Label("done")
	for _, acc := range []VReg{xx, yy, xy} {
		fn.FADD2D(acc+1, acc, acc)
		fn.FADD2D(acc+3, acc+2, acc+2)
		fn.FADD2D(acc+2, acc, acc)
		fn.FADDPD(acc, acc)
	}
}

func jacobiRotate(f *File) {
	fn := f.Func("JacobiRotateNEON", "func(x, y []float32, c, s float32)",
		"for i := range x {",
		"	x[i], y[i] = c*x[i] - s*y[i], s*x[i] + c*y[i]",
		"}")
	x, y, n := Reg(0), Reg(1), Reg(2)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_len", n)
	broadcast(fn, "c", rotC)
	broadcast(fn, "s", rotS)
	rotateBody(fn, x, y, n)
	fn.RET()
	fn.End()
}

// The registers holding c and s in every lane for rotateBody and rotate64Body.
const rotC, rotS VReg = 30, 31

// rotateBody emits the loops of JacobiRotate over the n floats at x and y,
// consuming x, y and n, with c and s in every lane of rotC and rotS. Its
// labels are stream's.
func rotateBody(fn *Func, x, y, n Reg) {
	const vx, vy, nx, ny, c, s VReg = 0, 4, 8, 12, rotC, rotS
	stream(fn, n, func(st step) {
		st.peek(x, vx)
		st.peek(y, vy)
		st.each(func(j VReg) { fn.FMUL(c, vx+j, nx+j) })
		st.each(func(j VReg) { fn.VFMLS(s, vy+j, nx+j) }) // nx = c·x − s·y
		st.each(func(j VReg) { fn.FMUL(c, vy+j, ny+j) })
		st.each(func(j VReg) { fn.VFMLA(s, vx+j, ny+j) }) // ny = s·x + c·y
		st.store(nx, x)
		st.store(ny, y)
	})
}

func jacobiRotate64(f *File) {
	fn := f.Func("JacobiRotate64NEON", "func(x, y []float64, c, s float64)",
		"for i := range x {",
		"	x[i], y[i] = c*x[i] - s*y[i], s*x[i] + c*y[i]",
		"}")
	x, y, n := Reg(0), Reg(1), Reg(2)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_len", n)
	fn.FMOVDArg("c", rotC)
	fn.DUP2D(rotC, rotC)
	fn.FMOVDArg("s", rotS)
	fn.DUP2D(rotS, rotS)
	rotate64Body(fn, x, y, n)
	fn.RET()
	fn.End()
}

// rotate64Body emits the loops of JacobiRotate64 over the n float64 at x and
// y, consuming x, y and n, with c and s in both lanes of rotC and rotS. Its
// labels are loop8, tail1, loop1 and done.
func rotate64Body(fn *Func, x, y, n Reg) {
	const vx, vy, nx, ny, c, s VReg = 0, 4, 8, 12, rotC, rotS
	// regs q-registers of two float64 each per stream and pass (the byte layout
	// of VLD1's .S4 lists is that of .D2 on a little-endian core).
	pass := func(regs VReg, one bool) {
		if one {
			fn.FMOVDLoad(x, vx)
			fn.FMOVDLoad(y, vy)
		} else {
			fn.VLD1(x, vx, int(regs))
			fn.VLD1(y, vy, int(regs))
		}
		for j := VReg(0); j < regs; j++ {
			fn.FMUL2D(c, vx+j, nx+j)
		}
		for j := VReg(0); j < regs; j++ {
			fn.FMLS2D(s, vy+j, nx+j)
		}
		for j := VReg(0); j < regs; j++ {
			fn.FMUL2D(c, vy+j, ny+j)
		}
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(s, vx+j, ny+j)
		}
		if one {
			fn.FMOVDStoreP(nx, x)
			fn.FMOVDStoreP(ny, y)
		} else {
			fn.VST1P(nx, int(regs), x)
			fn.VST1P(ny, int(regs), y)
		}
	}
	fn.SUBS(8, n)
	fn.BLT("tail1")
	fn.PCALIGN(16)
	fn.Label("loop8")
	pass(4, false)
	fn.SUBS(8, n)
	fn.BGE("loop8")

	fn.Label("tail1")
	fn.ADDS(8, n)
	fn.BEQ("done")
	fn.Label("loop1")
	pass(1, true)
	fn.SUBS(1, n)
	fn.BNE("loop1")

	fn.Label("done")
}
