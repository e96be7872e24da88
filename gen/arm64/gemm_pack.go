package main

import "fmt"

// The SGEMM packing kernels: PackA and PackBT are transpositions of MR = 8 or
// NR = 12 rows, both multiples of four, done four rows at a time by SgemmPack4NEON;
// PackB copies NR floats per row.
//
// No arm64 hardware has measured them. Under qemu-aarch64 (BenchmarkGemmPack, kc =
// 192, medians of 3), which says little about a real core, PackA took 10.8 µs
// against 20.8 for the Go transposition, PackBT 11.6 against 17.0, PackB 1.4
// against 9.6: kept, since none was slower; measure on hardware before trusting it.

// Registers of the packing kernels.
const (
	packRow   VReg = 0  // V0–V3: four rows of a 4×4 block, then its columns
	packTmp   VReg = 4  // V4–V7: the block half transposed
	packAlpha VReg = 16 // lane 0: alpha
)

func gemmPackKernels(f *File) {
	sgemmPack4(f)
	sgemmPackB(f)
}

// sgemmPack4 emits the transposition of four rows, four columns at a time: load a
// 4×4 block (a q-register per row), scale it by alpha, transpose it with TRN1/TRN2
// on 32-bit then 64-bit elements, and store each column of four at its place in
// dst. The last kc%4 columns go one float at a time.
func sgemmPack4(f *File) {
	fn := f.Func("SgemmPack4NEON", "func(kc int, a []float32, lda int, alpha float32, dst []float32, ldd int)",
		"for p := 0; p < kc; p++ {",
		"	for i := 0; i < 4; i++ {",
		"		dst[p*ldd+i] = alpha * a[i*lda+p]",
		"	}",
		"}")
	fn.Intro("SgemmPack4NEON transposes four rows of a into dst, scaled:")
	kc, lda, dst, ldd := Reg(0), Reg(1), Reg(2), Reg(3)
	row := [4]Reg{4, 5, 6, 7}
	out := Reg(8)
	fn.LoadArg("kc", kc)
	fn.LoadArg("a_base", row[0])
	fn.LoadArg("lda", lda)
	fn.LSL(2, lda)
	fn.LoadArg("dst_base", dst)
	fn.LoadArg("ldd", ldd)
	fn.LSL(2, ldd)
	for i := 1; i < 4; i++ {
		fn.MOVR(row[i-1], row[i])
		fn.ADD(lda, row[i])
	}
	fn.FMOVSArg("alpha", packAlpha)

	fn.Comment("4×4 blocks")
	fn.SUBS(4, kc) // kc = columns left - 4
	fn.BLT("tail")
	fn.PCALIGN(16)
	fn.Label("block")
	for i := 0; i < 4; i++ {
		fn.VLD1P(row[i], packRow+VReg(i), 1)
	}
	for i := 0; i < 4; i++ {
		fn.FMULElem(packAlpha, 0, packRow+VReg(i), packRow+VReg(i))
	}
	// t0, t1 = rows 0, 1 interleaved (columns 0, 2 and 1, 3); t2, t3 rows 2, 3.
	r, t := packRow, packTmp
	fn.VTRN1S4(r+1, r+0, t+0)
	fn.VTRN2S4(r+1, r+0, t+1)
	fn.VTRN1S4(r+3, r+2, t+2)
	fn.VTRN2S4(r+3, r+2, t+3)
	// Column j: the low halves (j = 0, 1) or high halves (j = 2, 3) of t[j%2]
	// and t[2+j%2].
	fn.VTRN1D2(t+2, t+0, r+0)
	fn.VTRN1D2(t+3, t+1, r+1)
	fn.VTRN2D2(t+2, t+0, r+2)
	fn.VTRN2D2(t+3, t+1, r+3)
	for j := 0; j < 4; j++ {
		fn.VST1(r+VReg(j), 1, dst)
		fn.ADD(ldd, dst)
	}
	fn.SUBS(4, kc)
	fn.BGE("block")

	fn.Label("tail")
	fn.ADDS(4, kc) // kc = columns left, 0–3
	fn.BEQ("done")
	fn.Label("column")
	fn.MOVR(dst, out)
	for i := 0; i < 4; i++ {
		fn.FMOVSLoadP(row[i], packRow)
		fn.FMULElem(packAlpha, 0, packRow, packRow)
		fn.FMOVSStoreP(packRow, out)
	}
	fn.ADD(ldd, dst)
	fn.SUBS(1, kc)
	fn.BNE("column")
	fn.Label("done")
	fn.RET()
	fn.End()
}

// sgemmPackB emits the packing of an untransposed B's micro-panel: kc rows of NR
// contiguous floats, at stride ldb, copied to consecutive NR-float rows.
func sgemmPackB(f *File) {
	fn := f.Func("SgemmPackBNEON", "func(kc int, b []float32, ldb int, dst []float32)",
		"for p := 0; p < kc; p++ {",
		"	copy(dst[p*NR:p*NR+NR], b[p*ldb:p*ldb+NR])",
		"}")
	fn.Intro(fmt.Sprintf("SgemmPackBNEON copies kc rows of B's micro-panel, NR = %d floats each:", gemmNR))
	kc, src, ldb, dst := Reg(0), Reg(1), Reg(2), Reg(3)
	fn.LoadArg("kc", kc)
	fn.LoadArg("b_base", src)
	fn.LoadArg("ldb", ldb)
	fn.LSL(2, ldb)
	fn.LoadArg("dst_base", dst)
	fn.CBZ(kc, "done")
	fn.PCALIGN(16)
	fn.Label("row")
	fn.VLD1(src, packRow, gemmVecs)
	fn.VST1P(packRow, gemmVecs, dst)
	fn.ADD(ldb, src)
	fn.SUBS(1, kc)
	fn.BNE("row")
	fn.Label("done")
	fn.RET()
	fn.End()
}

// Instructions the packing kernels use beyond emit.go's (Go's mnemonics).

// MOVR copies the general-purpose register s to d.
func (fn *Func) MOVR(s, d Reg) { fn.inst("MOVD", s.String(), d.String()) }

// VTRN1S4 interleaves the even float32 lanes: d = {n0, m0, n2, m2}.
func (fn *Func) VTRN1S4(m, n, d VReg) { fn.inst("VTRN1", m.S4(), n.S4(), d.S4()) }

// VTRN2S4 interleaves the odd float32 lanes: d = {n1, m1, n3, m3}.
func (fn *Func) VTRN2S4(m, n, d VReg) { fn.inst("VTRN2", m.S4(), n.S4(), d.S4()) }

// VTRN1D2 joins the low halves: d = {n.d0, m.d0}.
func (fn *Func) VTRN1D2(m, n, d VReg) { fn.inst("VTRN1", d2(m), d2(n), d2(d)) }

// VTRN2D2 joins the high halves: d = {n.d1, m.d1}.
func (fn *Func) VTRN2D2(m, n, d VReg) { fn.inst("VTRN2", d2(m), d2(n), d2(d)) }

// d2 is the register as two 64-bit lanes in Go syntax.
func d2(v VReg) string { return fmt.Sprintf("V%d.D2", int(v)) }
