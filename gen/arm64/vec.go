package main

// The element-wise and reduction kernels. Register conventions, the same in every
// kernel so the listings read alike: loaded data in V0–V15 (four q-registers per
// stream in the main loop), accumulators and temporaries in V16–V23, constants
// broadcast to all four lanes in V24–V31.

// step is the pass of one of stream's three loops. The main loop moves 16 floats per
// stream per pass, as lists of four q-registers (VLD1.P/VST1.P); the second loop 4
// floats in one q-register; the tail one float in lane 0 of one register (FMOVS
// zeroes lanes 1–3), so the same vector instructions serve all three.
type step struct {
	fn   *Func
	regs int  // registers per stream: 4 in the main loop, 1 otherwise
	one  bool // the tail: one float per pass
}

// load reads the stream at base into first.. and advances base.
func (s step) load(base Reg, first VReg) {
	if s.one {
		s.fn.FMOVSLoadP(base, first)
		return
	}
	s.fn.VLD1P(base, first, s.regs)
}

// peek reads the stream at base into first.. without advancing base: for a stream
// that is read and written back, with store, through the same pointer.
func (s step) peek(base Reg, first VReg) {
	if s.one {
		s.fn.FMOVSLoad(base, first)
		return
	}
	s.fn.VLD1(base, first, s.regs)
}

// store writes first.. to the stream at base and advances base.
func (s step) store(first VReg, base Reg) {
	if s.one {
		s.fn.FMOVSStoreP(first, base)
		return
	}
	s.fn.VST1P(first, s.regs, base)
}

// each calls f with 0, 1, … for every register of a stream in this pass; f adds it to
// the first register of each operand. Emitting one operation for all registers before
// the next gives the core independent instructions side by side.
func (s step) each(f func(j VReg)) {
	for j := 0; j < s.regs; j++ {
		f(VReg(j))
	}
}

// stream emits the loops over the n elements counted down in register n, calling
// body for each pass. Only one flag-setting instruction per pass controls each loop:
// n is kept biased by the width of the current loop, so that the sign of n after
// SUBS says whether another full pass fits.
func stream(fn *Func, n Reg, body func(s step)) {
	fn.SUBS(16, n) // n = elements left - 16
	fn.BLT("tail4")
	fn.PCALIGN(16)
	fn.Label("loop16")
	body(step{fn: fn, regs: 4})
	fn.SUBS(16, n)
	fn.BGE("loop16")

	fn.Label("tail4")
	fn.ADDS(16-4, n) // n = elements left - 4
	fn.BLT("tail1")
	fn.Label("loop4")
	body(step{fn: fn, regs: 1})
	fn.SUBS(4, n)
	fn.BGE("loop4")

	fn.Label("tail1")
	fn.ADDS(4, n) // n = elements left, 0–3
	fn.BEQ("done")
	fn.Label("loop1")
	body(step{fn: fn, regs: 1, one: true})
	fn.SUBS(1, n)
	fn.BNE("loop1")

	fn.Label("done")
}

// Registers of the reductions: four accumulators, one per register of the main loop,
// so that consecutive FMAs do not wait on each other.
const acc VReg = 16

// reduce emits the body of a kernel returning Σ term(i) over the stream counted by
// n: load reads a pass's data and accumulate adds the terms of its register j to
// accumulator acc+j. The accumulators are summed pairwise at the end.
func reduce(fn *Func, n Reg, load func(s step), accumulate func(j VReg)) {
	for j := VReg(0); j < 4; j++ {
		fn.Zero(acc + j)
	}
	stream(fn, n, func(s step) {
		load(s)
		s.each(accumulate)
	})
	fn.FADD(acc+1, acc, acc)
	fn.FADD(acc+3, acc+2, acc+2)
	fn.FADD(acc+2, acc, acc)
	fn.FADDP(acc, acc, acc)
	fn.FADDPScalar(acc, acc)
	fn.FMOVSRet(acc, "ret")
	fn.RET()
	fn.End()
}

// broadcast loads float32 argument name into every lane of v.
func broadcast(fn *Func, name string, v VReg) {
	fn.FMOVSArg(name, v)
	fn.VDUP(v, 0, v)
}

func vectorKernels(f *File) {
	dot(f)
	axpy(f)
	scal(f)
	add(f)
	mul(f)
	sum(f)
	sumSq(f)
	relu(f)
	reluBackward(f)
	adam(f)
	fmaPeak(f)
}

func dot(f *File) {
	fn := f.Func("DotNEON", "func(x, y []float32) float32",
		"for i := range x { s += x[i] * y[i] }", "return s")
	x, y, n := Reg(0), Reg(1), Reg(2)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_len", n)
	const vx, vy VReg = 0, 4
	reduce(fn, n,
		func(s step) { s.load(x, vx); s.load(y, vy) },
		func(j VReg) { fn.VFMLA(vy+j, vx+j, acc+j) })
}

func sum(f *File) {
	fn := f.Func("SumNEON", "func(x []float32) float32",
		"for i := range x { s += x[i] }", "return s")
	x, n := Reg(0), Reg(1)
	fn.LoadArg("x_base", x)
	fn.LoadArg("x_len", n)
	const vx VReg = 0
	reduce(fn, n,
		func(s step) { s.load(x, vx) },
		func(j VReg) { fn.FADD(vx+j, acc+j, acc+j) })
}

func sumSq(f *File) {
	fn := f.Func("SumSqNEON", "func(x []float32) float32",
		"for i := range x { s += x[i] * x[i] }", "return s")
	x, n := Reg(0), Reg(1)
	fn.LoadArg("x_base", x)
	fn.LoadArg("x_len", n)
	const vx VReg = 0
	reduce(fn, n,
		func(s step) { s.load(x, vx) },
		func(j VReg) { fn.VFMLA(vx+j, vx+j, acc+j) })
}

func axpy(f *File) {
	fn := f.Func("AxpyNEON", "func(alpha float32, x, y []float32)",
		"for i := range x { y[i] += alpha * x[i] }")
	x, y, n := Reg(0), Reg(1), Reg(2)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_len", n)
	const vx, vy, alpha VReg = 0, 4, 31
	broadcast(fn, "alpha", alpha)
	stream(fn, n, func(s step) {
		s.load(x, vx)
		s.peek(y, vy)
		s.each(func(j VReg) { fn.VFMLA(alpha, vx+j, vy+j) })
		s.store(vy, y)
	})
	fn.RET()
	fn.End()
}

func scal(f *File) {
	fn := f.Func("ScalNEON", "func(alpha float32, x []float32)",
		"for i := range x { x[i] *= alpha }")
	x, n := Reg(0), Reg(1)
	fn.LoadArg("x_base", x)
	fn.LoadArg("x_len", n)
	const vx, alpha VReg = 0, 31
	broadcast(fn, "alpha", alpha)
	stream(fn, n, func(s step) {
		s.peek(x, vx)
		s.each(func(j VReg) { fn.FMUL(alpha, vx+j, vx+j) })
		s.store(vx, x)
	})
	fn.RET()
	fn.End()
}

// binary emits dst[i] = op(x[i], y[i]) for i < len(dst). Each pass loads before it
// stores, so dst may be x or y.
func binary(f *File, name, doc string, op func(fn *Func, y, x, d VReg)) {
	fn := f.Func(name, "func(dst, x, y []float32)", "for i := range dst { "+doc+" }")
	dst, x, y, n := Reg(0), Reg(1), Reg(2), Reg(3)
	fn.LoadArg("dst_base", dst)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("dst_len", n)
	const vx, vy VReg = 0, 4
	stream(fn, n, func(s step) {
		s.load(x, vx)
		s.load(y, vy)
		s.each(func(j VReg) { op(fn, vy+j, vx+j, vx+j) })
		s.store(vx, dst)
	})
	fn.RET()
	fn.End()
}

func add(f *File) { binary(f, "AddNEON", "dst[i] = x[i] + y[i]", (*Func).FADD) }
func mul(f *File) { binary(f, "MulNEON", "dst[i] = x[i] * y[i]", (*Func).FMUL) }

func relu(f *File) {
	fn := f.Func("ReLUNEON", "func(dst, x []float32)",
		"for i := range dst { dst[i] = x[i]; if x[i] < 0 { dst[i] = 0 } }")
	fn.Note("FMAX(x, 0) returns NaN when x is NaN, as the loop does, and +0 for -0.")
	dst, x, n := Reg(0), Reg(1), Reg(2)
	fn.LoadArg("dst_base", dst)
	fn.LoadArg("x_base", x)
	fn.LoadArg("dst_len", n)
	const vx, zero VReg = 0, 31
	fn.Zero(zero)
	stream(fn, n, func(s step) {
		s.load(x, vx)
		// FMAX returns NaN when x is NaN, as the reference; it gives +0 for -0,
		// where the reference keeps -0 (equal as numbers). FMAXNM would not do:
		// it returns the number.
		s.each(func(j VReg) { fn.FMAX(zero, vx+j, vx+j) })
		s.store(vx, dst)
	})
	fn.RET()
	fn.End()
}

func reluBackward(f *File) {
	fn := f.Func("ReLUBackwardNEON", "func(dx, dy, x []float32)",
		"for i := range dx { dx[i] = 0; if x[i] > 0 { dx[i] = dy[i] } }")
	dx, dy, x, n := Reg(0), Reg(1), Reg(2), Reg(3)
	fn.LoadArg("dx_base", dx)
	fn.LoadArg("dy_base", dy)
	fn.LoadArg("x_base", x)
	fn.LoadArg("dx_len", n)
	const vdy, vx, mask VReg = 0, 4, 8
	stream(fn, n, func(s step) {
		s.load(dy, vdy)
		s.load(x, vx)
		// The mask is all ones where x > 0 and zero elsewhere, NaN included.
		s.each(func(j VReg) { fn.FCMGTZero(vx+j, mask+j) })
		s.each(func(j VReg) { fn.VAND(mask+j, vdy+j, vdy+j) })
		s.store(vdy, dx)
	})
	fn.RET()
	fn.End()
}

func adam(f *File) {
	fn := f.Func("AdamNEON", "func(param, grad, m, v []float32, beta1, c1, beta2, c2, stepSize, invSqrtBias2, eps, belief, epsRoot float32)",
		"for i := range param {",
		"	d := grad[i] - belief*m[i] // belief: 0 for Adam, 1 for AdaBelief",
		"	m[i] = beta1*m[i] + c1*grad[i] // c1 = 1-beta1, rounded from float64",
		"	v[i] = beta2*v[i] + c2*d*d + epsRoot // c2 = 1-beta2, rounded from float64",
		"	param[i] -= stepSize * m[i] / (sqrt(v[i])*invSqrtBias2 + eps)",
		"}")
	param, grad, m, v, n := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4)
	fn.LoadArg("param_base", param)
	fn.LoadArg("grad_base", grad)
	fn.LoadArg("m_base", m)
	fn.LoadArg("v_base", v)
	fn.LoadArg("param_len", n)

	const (
		vp, vg, vm, vv, t    VReg = 0, 4, 8, 12, 16
		beta1, c1, beta2, c2 VReg = 24, 25, 26, 27
		stepSize, inv, eps   VReg = 28, 29, 30
		belief, epsRoot      VReg = 31, 20
	)
	broadcast(fn, "beta1", beta1)
	broadcast(fn, "c1", c1)
	broadcast(fn, "beta2", beta2)
	broadcast(fn, "c2", c2)
	broadcast(fn, "stepSize", stepSize)
	broadcast(fn, "invSqrtBias2", inv)
	broadcast(fn, "eps", eps)
	broadcast(fn, "belief", belief)
	broadcast(fn, "epsRoot", epsRoot)

	// In the tail, lanes 1–3 hold zeros and compute 0/eps = 0; they are not stored.
	stream(fn, n, func(s step) {
		s.peek(param, vp)
		s.load(grad, vg)
		s.peek(m, vm)
		s.peek(v, vv)
		s.each(func(j VReg) { fn.FMUL(belief, vm+j, t+j) })
		s.each(func(j VReg) { fn.FSUB(t+j, vg+j, t+j) }) // d = g - belief*m, exact for Adam
		s.each(func(j VReg) { fn.FMUL(beta1, vm+j, vm+j) })
		s.each(func(j VReg) { fn.VFMLA(c1, vg+j, vm+j) }) // m = beta1*m + c1*g
		s.each(func(j VReg) { fn.FMUL(beta2, vv+j, vv+j) })
		s.each(func(j VReg) { fn.FMUL(t+j, t+j, t+j) })
		s.each(func(j VReg) { fn.VFMLA(c2, t+j, vv+j) }) // v = beta2*v + c2*d²
		s.each(func(j VReg) { fn.FADD(epsRoot, vv+j, vv+j) })
		s.store(vm, m)
		s.store(vv, v)
		s.each(func(j VReg) { fn.FSQRT(vv+j, t+j) })
		s.each(func(j VReg) { fn.FMUL(inv, t+j, t+j) })
		s.each(func(j VReg) { fn.FADD(eps, t+j, t+j) }) // t = sqrt(v)*invSqrtBias2 + eps
		s.each(func(j VReg) { fn.FMUL(stepSize, vm+j, vg+j) })
		s.each(func(j VReg) { fn.FDIV(t+j, vg+j, vg+j) })
		s.each(func(j VReg) { fn.FSUB(vg+j, vp+j, vp+j) }) // param -= stepSize*m/t
		s.store(vp, param)
	})
	fn.RET()
	fn.End()
}

// fmaPeakAccumulators is the number of independent FMA chains of FMAPeakNEON: enough
// to cover four FMA pipes of latency four (Neoverse V1/V2) with room to spare.
const fmaPeakAccumulators = 24

// fmaPeak emits a loop of independent FMAs for measuring the core's peak rate; each
// iteration is fmaPeakAccumulators × 4 lanes × 2 floating-point operations.
func fmaPeak(f *File) {
	fn := f.Func("FMAPeakNEON", "func(iterations int)",
		"for i := 0; i < iterations; i++ {",
		"	for j := range acc { acc[j] += 1 * 1 } // 24 accumulators of 4 lanes: 192 flops",
		"}")
	iterations := Reg(0)
	fn.LoadArg("iterations", iterations)
	const one VReg = 31
	for j := VReg(0); j < fmaPeakAccumulators; j++ {
		fn.Zero(j)
	}
	fn.FMOVSOne(one)
	fn.VDUP(one, 0, one)
	fn.CMP(0, iterations)
	fn.BLE("done")
	fn.PCALIGN(16)
	fn.Label("loop")
	for j := VReg(0); j < fmaPeakAccumulators; j++ {
		fn.VFMLA(one, one, j)
	}
	fn.SUBS(1, iterations)
	fn.BNE("loop")
	fn.Label("done")
	fn.RET()
	fn.End()
}
