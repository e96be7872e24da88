package main

import "fmt"

// The batched kernels of one round-robin Jacobi step (kernels/jacobi_step.go):
// the loops of JacobiDots, JacobiRotate and JacobiRotate64 run over a list of
// disjoint column pairs in one call. (The angles stay in Go on arm64.)

// Registers of the pair loop: the loops' x, y and n are R0–R2 as in the pair
// kernels; the matrix, rows, p and q, the count of pairs left and the
// per-pair scratch follow.
const (
	pairMatrix, pairRows, pairP, pairQ Reg = 3, 4, 5, 6
	pairLeft, pairScratch              Reg = 10, 11
)

// pairLoop emits the body of a pair kernel over the pairs of p and q: R0 and
// R1 are set to the addresses of columns p[k] and q[k] of the matrix
// parameter (elements of 1<<shift bytes), R2 to rows, and body works on them;
// before it, each calls perPair (which may branch to "next" to skip the
// pair, having advanced its own pointers).
func pairLoop(fn *Func, matrix string, shift int, perPair, body func()) {
	fn.LoadArg(matrix+"_base", pairMatrix)
	fn.LoadArg("rows", pairRows)
	fn.LoadArg("p_base", pairP)
	fn.LoadArg("q_base", pairQ)
	fn.LoadArg("p_len", pairLeft)
	fn.CBZ(pairLeft, "end")
	fn.Label("pair")
	column := func(idx, dst Reg) {
		fn.inst("MOVD.P", fmt.Sprintf("8(%s)", idx), pairScratch.String())
		fn.inst("MUL", pairRows.String(), pairScratch.String(), pairScratch.String())
		fn.inst("ADD", fmt.Sprintf("%s<<%d", pairScratch, shift), pairMatrix.String(), dst.String())
	}
	column(pairP, 0)
	column(pairQ, 1)
	perPair()
	fn.inst("MOVD", pairRows.String(), Reg(2).String())
	body()
	fn.Label("next")
	fn.SUBS(1, pairLeft)
	fn.BNE("pair")
	fn.Label("end")
	fn.RET()
	fn.End()
}

func jacobiPairDots(f *File) {
	fn := f.Func("JacobiPairDotsNEON", "func(cols []float32, rows int, p, q []int, xx, yy, xy []float64)",
		"for k := range p {",
		"	xx[k], yy[k], xy[k] = JacobiDots(cols[p[k]*rows:][:rows], cols[q[k]*rows:][:rows])",
		"}")
	outXX, outYY, outXY := Reg(7), Reg(8), Reg(9)
	fn.LoadArg("xx_base", outXX)
	fn.LoadArg("yy_base", outYY)
	fn.LoadArg("xy_base", outXY)
	pairLoop(fn, "cols", 2, func() {}, func() {
		dotsBody(fn, 0, 1, 2)
		fn.FMOVDStoreP(dotsXX, outXX)
		fn.FMOVDStoreP(dotsYY, outYY)
		fn.FMOVDStoreP(dotsXY, outXY)
	})
}

// loadRotation loads c[k] into lane 0 of rotC and s[k] into lane 0 of rotS,
// advancing both pointers, and branches to "next" when s[k] is ±0: the pairs
// JacobiAngles does not rotate.
func loadRotation(fn *Func, c, s Reg) {
	const bits, shifted Reg = 12, 13
	fn.FMOVDLoadP(c, rotC)
	fn.inst("MOVD.P", fmt.Sprintf("8(%s)", s), bits.String())
	fn.inst("LSL", "$1", bits.String(), shifted.String())
	fn.CBZ(shifted, "next")
	fn.inst("FMOVD", bits.String(), rotS.F())
}

func jacobiRotatePairs(f *File) {
	fn := f.Func("JacobiRotatePairsNEON", "func(cols []float32, rows int, p, q []int, c, s []float64)",
		"for k := range p {",
		"	if s[k] != 0 {",
		"		JacobiRotate(cols[p[k]*rows:][:rows], cols[q[k]*rows:][:rows], float32(c[k]), float32(s[k]))",
		"	}",
		"}")
	c, s := Reg(7), Reg(8)
	fn.LoadArg("c_base", c)
	fn.LoadArg("s_base", s)
	pairLoop(fn, "cols", 2, func() {
		loadRotation(fn, c, s)
		for _, v := range []VReg{rotC, rotS} {
			fn.inst("FCVTDS", v.F(), v.F())
			fn.VDUP(v, 0, v)
		}
	}, func() { rotateBody(fn, 0, 1, 2) })
}

func jacobiRotatePairs64(f *File) {
	fn := f.Func("JacobiRotatePairs64NEON", "func(w []float64, rows int, p, q []int, c, s []float64)",
		"for k := range p {",
		"	if s[k] != 0 {",
		"		JacobiRotate64(w[p[k]*rows:][:rows], w[q[k]*rows:][:rows], c[k], s[k])",
		"	}",
		"}")
	c, s := Reg(7), Reg(8)
	fn.LoadArg("c_base", c)
	fn.LoadArg("s_base", s)
	pairLoop(fn, "w", 3, func() {
		loadRotation(fn, c, s)
		fn.DUP2D(rotC, rotC)
		fn.DUP2D(rotS, rotS)
	}, func() { rotate64Body(fn, 0, 1, 2) })
}
