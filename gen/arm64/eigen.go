package main

import "fmt"

// The float64 kernels of the symmetric eigensolver that preconditions the SVD
// (linalg/eigen_sym.go, linalg/svd_eigen.go), two lanes to a q-register:
// dot products, axpys, matrix-vector products and rank-2 updates on
// column-major matrices (columns contiguous), the rotation sequence of a QL
// sweep and a four-column GEMM. Rows go eight at a time (four q-registers),
// the rest one at a time on lane 0 (an FMOVD load zeroes lane 1, so the
// vector forms compute nothing there). Widen and Narrow stay Go loops.

// MOV copies r to d.
func (fn *Func) MOV(r, d Reg) { fn.inst("MOVD", r.String(), d.String()) }

// SUB computes d -= m.
func (fn *Func) SUB(m, d Reg) { fn.inst("SUB", m.String(), d.String(), d.String()) }

// FNEGD negates the float64 in lane 0 of v.
func (fn *Func) FNEGD(v VReg) { fn.inst("FNEGD", v.F(), v.F()) }

// dup2DArg broadcasts the float64 argument name to both lanes of v.
func (fn *Func) dup2DArg(name string, v VReg) {
	fn.FMOVDArg(name, v)
	fn.DUP2D(v, v)
}

// dup2DLoad broadcasts the float64 at (base) to both lanes of v.
func (fn *Func) dup2DLoad(base Reg, v VReg) {
	fn.FMOVDLoad(base, v)
	fn.DUP2D(v, v)
}

// stream64 emits a loop over the n float64 of the streams body touches:
// passes of eight (regs = 4) while at least eight are left, then single
// elements (regs = 1, one = true). It consumes n; label prefixes its labels.
func stream64(fn *Func, label string, n Reg, body func(regs VReg, one bool)) {
	fn.SUBS(8, n)
	fn.BLT(label + "tail")
	fn.Label(label + "loop8")
	body(4, false)
	fn.SUBS(8, n)
	fn.BGE(label + "loop8")
	fn.Label(label + "tail")
	fn.ADDS(8, n)
	fn.BEQ(label + "done")
	fn.Label(label + "loop1")
	body(1, true)
	fn.SUBS(1, n)
	fn.BNE(label + "loop1")
	fn.Label(label + "done")
}

// load64 loads regs q-registers from (base) on, or for one the float64 at
// (base) into lane 0 of first; then base moves past them.
func load64(fn *Func, base Reg, first, regs VReg, one bool) {
	if one {
		fn.FMOVDLoadP(base, first)
	} else {
		fn.VLD1P(base, first, int(regs))
	}
}

// store64 is load64's store.
func store64(fn *Func, first, regs VReg, one bool, base Reg) {
	if one {
		fn.FMOVDStoreP(first, base)
	} else {
		fn.VST1P(first, int(regs), base)
	}
}

// sum2D leaves the sum of both lanes of the four accumulators from acc on in
// lane 0 of acc.
func sum2D(fn *Func, acc VReg) {
	fn.FADD2D(acc+1, acc, acc)
	fn.FADD2D(acc+3, acc+2, acc+2)
	fn.FADD2D(acc+2, acc, acc)
	fn.FADDPD(acc, acc)
}

func eigenKernels(f *File) {
	dot64(f)
	axpy64(f)
	gemv64(f)
	gemvT64(f)
	rank2Update64(f)
	rotateSeq64(f)
	gemm4Cols64(f)
}

func dot64(f *File) {
	fn := f.Func("Dot64NEON", "func(x, y []float64) float64",
		"for i := range x { s += x[i] * y[i] }", "return s")
	x, y, n := Reg(0), Reg(1), Reg(2)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_len", n)
	const vx, vy, acc VReg = 0, 4, 16
	for j := VReg(0); j < 4; j++ {
		fn.Zero(acc + j)
	}
	stream64(fn, "", n, func(regs VReg, one bool) {
		load64(fn, x, vx, regs, one)
		load64(fn, y, vy, regs, one)
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(vy+j, vx+j, acc+j)
		}
	})
	sum2D(fn, acc)
	fn.FMOVDRet(acc, "ret")
	fn.RET()
	fn.End()
}

func axpy64(f *File) {
	fn := f.Func("Axpy64NEON", "func(alpha float64, x, y []float64)",
		"for i := range x { y[i] += alpha * x[i] }")
	x, y, out, n := Reg(0), Reg(1), Reg(2), Reg(3)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_len", n)
	fn.MOV(y, out)
	const vx, vy, alpha VReg = 0, 4, 31
	fn.dup2DArg("alpha", alpha)
	stream64(fn, "", n, func(regs VReg, one bool) {
		load64(fn, x, vx, regs, one)
		load64(fn, y, vy, regs, one)
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(vx+j, alpha, vy+j)
		}
		store64(fn, vy, regs, one, out)
	})
	fn.RET()
	fn.End()
}

// gemv64 keeps eight rows of y in four q-registers while it runs down all
// the columns, so that y is read and written once per eight rows.
func gemv64(f *File) {
	fn := f.Func("Gemv64NEON", "func(y, x []float64, ldx int, alpha []float64)",
		"for k, ak := range alpha {",
		"\tfor i := range y { y[i] += ak * x[k*ldx+i] }",
		"}")
	y, x, rows, ld, al, cols := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4), Reg(5)
	xp, ap, k, yo := Reg(6), Reg(7), Reg(8), Reg(9)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_len", rows)
	fn.LoadArg("ldx", ld)
	fn.LSL(3, ld)
	fn.LoadArg("alpha_base", al)
	fn.LoadArg("alpha_len", cols)
	const vx, acc, b VReg = 0, 16, 30
	stream64(fn, "", rows, func(regs VReg, one bool) {
		// y[i…] += X[i…, :]·alpha; x is row i of column 0.
		fn.MOV(y, yo)
		load64(fn, y, acc, regs, one)
		fn.MOV(x, xp)
		fn.MOV(al, ap)
		fn.MOV(cols, k)
		l := fmt.Sprintf("k%d", regs)
		if one {
			l = "k1s"
		}
		fn.Label(l)
		fn.FMOVDLoadP(ap, b)
		fn.DUP2D(b, b)
		if one {
			fn.FMOVDLoad(xp, vx)
		} else {
			fn.VLD1(xp, vx, int(regs))
		}
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(vx+j, b, acc+j)
		}
		fn.ADD(ld, xp)
		fn.SUBS(1, k)
		fn.BNE(l)
		store64(fn, acc, regs, one, yo)
		if one {
			fn.ADDS(8, x)
		} else {
			fn.ADDS(16*int(regs), x)
		}
	})
	fn.RET()
	fn.End()
}

func gemvT64(f *File) {
	fn := f.Func("GemvT64NEON", "func(y, x []float64, ldx int, alpha []float64)",
		"for k := range y {",
		"\tfor i, ai := range alpha { y[k] += x[k*ldx+i] * ai }",
		"}")
	y, x, cols, ld, al, rows := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4), Reg(5)
	xp, ap, n := Reg(6), Reg(7), Reg(8)
	fn.LoadArg("y_base", y)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_len", cols)
	fn.LoadArg("ldx", ld)
	fn.LSL(3, ld)
	fn.LoadArg("alpha_base", al)
	fn.LoadArg("alpha_len", rows)
	const vx, va, acc, t VReg = 0, 4, 16, 20
	fn.CBZ(cols, "end")
	fn.Label("col")
	for j := VReg(0); j < 4; j++ {
		fn.Zero(acc + j)
	}
	fn.MOV(x, xp)
	fn.MOV(al, ap)
	fn.MOV(rows, n)
	fn.CBZ(n, "sum")
	stream64(fn, "d", n, func(regs VReg, one bool) {
		load64(fn, xp, vx, regs, one)
		load64(fn, ap, va, regs, one)
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(va+j, vx+j, acc+j)
		}
	})
	fn.Label("sum")
	sum2D(fn, acc)
	fn.FMOVDLoad(y, t)
	fn.FADD2D(t, acc, acc)
	fn.FMOVDStoreP(acc, y)
	fn.ADD(ld, x)
	fn.SUBS(1, cols)
	fn.BNE("col")
	fn.Label("end")
	fn.RET()
	fn.End()
}

func rank2Update64(f *File) {
	fn := f.Func("Rank2Update64NEON", "func(c []float64, ldc int, x, y, alpha, beta []float64)",
		"for j := range alpha {",
		"\tfor i := range x { c[j*ldc+i] += alpha[j]*x[i] + beta[j]*y[i] }",
		"}")
	c, ld, x, y, al, be, cols, rows := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4), Reg(5), Reg(6), Reg(7)
	cp, co, xp, yp, n := Reg(8), Reg(9), Reg(10), Reg(11), Reg(12)
	fn.LoadArg("c_base", c)
	fn.LoadArg("ldc", ld)
	fn.LSL(3, ld)
	fn.LoadArg("x_base", x)
	fn.LoadArg("y_base", y)
	fn.LoadArg("alpha_base", al)
	fn.LoadArg("beta_base", be)
	fn.LoadArg("alpha_len", cols)
	fn.LoadArg("x_len", rows)
	const vc, vx, va, vb VReg = 0, 4, 30, 31
	fn.CBZ(cols, "end")
	fn.CBZ(rows, "end")
	fn.Label("col")
	fn.FMOVDLoadP(al, va)
	fn.DUP2D(va, va)
	fn.FMOVDLoadP(be, vb)
	fn.DUP2D(vb, vb)
	fn.MOV(c, cp)
	fn.MOV(c, co)
	fn.MOV(x, xp)
	fn.MOV(y, yp)
	fn.MOV(rows, n)
	stream64(fn, "r", n, func(regs VReg, one bool) {
		load64(fn, cp, vc, regs, one)
		load64(fn, xp, vx, regs, one)
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(vx+j, va, vc+j)
		}
		load64(fn, yp, vx, regs, one)
		for j := VReg(0); j < regs; j++ {
			fn.FMLA2D(vx+j, vb, vc+j)
		}
		store64(fn, vc, regs, one, co)
	})
	fn.ADD(ld, c)
	fn.SUBS(1, cols)
	fn.BNE("col")
	fn.Label("end")
	fn.RET()
	fn.End()
}

// rotateSeq64 carries eight rows of column k+1 in four q-registers down the
// whole sequence, so that each column is read and written once.
func rotateSeq64(f *File) {
	fn := f.Func("RotateSeq64NEON", "func(z []float64, ld int, c, s []float64)",
		"for k := len(c) - 1; k >= 0; k-- {",
		"\tx, y := z[k*ld:(k+1)*ld], z[(k+1)*ld:(k+2)*ld]",
		"\tfor i := range x {",
		"\t\tx[i], y[i] = c[k]*x[i] - s[k]*y[i], s[k]*x[i] + c[k]*y[i]",
		"\t}",
		"}")
	z, ld, rows, cb, sb, nrot := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4), Reg(5)
	p, q, cp, sp, k, last := Reg(6), Reg(7), Reg(8), Reg(9), Reg(10), Reg(11)
	fn.LoadArg("z_base", z)
	fn.LoadArg("ld", ld)
	fn.MOV(ld, rows)
	fn.LSL(3, ld)
	fn.LoadArg("c_base", cb)
	fn.LoadArg("s_base", sb)
	fn.LoadArg("c_len", nrot)
	fn.CBZ(nrot, "end")
	fn.CBZ(rows, "end")
	// last = nrot·ld bytes: row 0 of the last column, from z.
	fn.MOV(nrot, last)
	fn.inst("MUL", ld.String(), last.String(), last.String())
	const x, carry, ny, ck, sk, nsk VReg = 0, 16, 4, 28, 29, 30
	stream64(fn, "", rows, func(regs VReg, one bool) {
		fn.MOV(z, p)
		fn.ADD(last, p)
		if one {
			fn.FMOVDLoad(p, carry)
		} else {
			fn.VLD1(p, carry, int(regs))
		}
		fn.MOV(cb, cp)
		fn.MOV(sb, sp)
		fn.MOV(nrot, k)
		fn.LSL(3, k)
		fn.ADD(k, cp)
		fn.ADD(k, sp)
		fn.MOV(nrot, k)
		l := "rot4"
		if one {
			l = "rot1"
		}
		fn.Label(l)
		fn.MOV(p, q) // column k+1
		fn.SUB(ld, p)
		fn.SUBS(8, cp)
		fn.SUBS(8, sp)
		fn.dup2DLoad(cp, ck)
		fn.FMOVDLoad(sp, sk)
		fn.FNEGD(sk)
		fn.DUP2D(sk, nsk)
		fn.FNEGD(sk)
		fn.DUP2D(sk, sk)
		if one {
			fn.FMOVDLoad(p, x)
		} else {
			fn.VLD1(p, x, int(regs))
		}
		for j := VReg(0); j < regs; j++ {
			fn.FMUL2D(ck, carry+j, ny+j)     // c·y
			fn.FMLA2D(sk, x+j, ny+j)         // + s·x: column k+1
			fn.FMUL2D(nsk, carry+j, carry+j) // −s·y
			fn.FMLA2D(ck, x+j, carry+j)      // + c·x: column k
		}
		if one {
			fn.FMOVDStoreP(ny, q)
		} else {
			fn.VST1(ny, int(regs), q)
		}
		fn.SUBS(1, k)
		fn.BNE(l)
		if one {
			fn.FMOVDStoreP(carry, p)
			fn.ADDS(8, z)
		} else {
			fn.VST1(carry, int(regs), p)
			fn.ADDS(16*int(regs), z)
		}
	})
	fn.Label("end")
	fn.RET()
	fn.End()
}

// gemm4Cols64 runs eight rows of four columns of C in sixteen q-registers
// down the k columns of A: every A vector serves four FMAs.
func gemm4Cols64(f *File) {
	fn := f.Func("Gemm4Cols64NEON", "func(m, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int)",
		"for j := 0; j < 4; j++ {",
		"\tfor p := 0; p < k; p++ {",
		"\t\tfor i := 0; i < m; i++ { c[j*ldc+i] += a[p*lda+i] * b[j*ldb+p] }",
		"\t}",
		"}")
	rows, kk, a, lda, b, ldb, c, ldc := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4), Reg(5), Reg(6), Reg(7)
	ap, p := Reg(8), Reg(9)
	bp := [4]Reg{10, 11, 12, 13}
	cp := [4]Reg{19, 20, 21, 22} // not R16–R18: IP0, IP1 and the platform register
	fn.LoadArg("m", rows)
	fn.LoadArg("k", kk)
	fn.LoadArg("a_base", a)
	fn.LoadArg("lda", lda)
	fn.LSL(3, lda)
	fn.LoadArg("b_base", b)
	fn.LoadArg("ldb", ldb)
	fn.LSL(3, ldb)
	fn.LoadArg("c_base", c)
	fn.LoadArg("ldc", ldc)
	fn.LSL(3, ldc)
	fn.CBZ(kk, "end")
	const vx, bv, acc VReg = 0, 4, 16 // acc: column j in acc+4j…acc+4j+3
	stream64(fn, "", rows, func(regs VReg, one bool) {
		sfx := "4"
		if one {
			sfx = "1"
		}
		for j := range 4 {
			if j == 0 {
				fn.MOV(c, cp[0])
			} else {
				fn.MOV(cp[j-1], cp[j])
				fn.ADD(ldc, cp[j])
			}
			if one {
				fn.FMOVDLoad(cp[j], acc+VReg(4*j))
			} else {
				fn.VLD1(cp[j], acc+VReg(4*j), int(regs))
			}
			if j == 0 {
				fn.MOV(b, bp[0])
			} else {
				fn.MOV(bp[j-1], bp[j])
				fn.ADD(ldb, bp[j])
			}
		}
		fn.MOV(a, ap)
		fn.MOV(kk, p)
		fn.Label("k" + sfx)
		for j := range 4 {
			fn.FMOVDLoadP(bp[j], bv+VReg(j))
			fn.DUP2D(bv+VReg(j), bv+VReg(j))
		}
		if one {
			fn.FMOVDLoad(ap, vx)
		} else {
			fn.VLD1(ap, vx, int(regs))
		}
		for j := VReg(0); j < 4; j++ {
			for u := VReg(0); u < regs; u++ {
				fn.FMLA2D(bv+j, vx+u, acc+4*j+u)
			}
		}
		fn.ADD(lda, ap)
		fn.SUBS(1, p)
		fn.BNE("k" + sfx)
		for j := range 4 {
			if one {
				fn.FMOVDStoreP(acc+VReg(4*j), cp[j])
			} else {
				fn.VST1(acc+VReg(4*j), int(regs), cp[j])
			}
		}
		if one {
			fn.ADDS(8, a)
			fn.ADDS(8, c)
		} else {
			fn.ADDS(16*int(regs), a)
			fn.ADDS(16*int(regs), c)
		}
	})
	fn.Label("end")
	fn.RET()
	fn.End()
}
