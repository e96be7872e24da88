package main

import "fmt"

// The SGEMM micro-kernel (BLIS's contract, the same as gen/amd64's): C[MR×NR] =
// beta·C + Ã·B̃ over k, where Ã is a packed micro-panel of A (k steps of MR values:
// column p of the tile's rows) and B̃ a packed micro-panel of B (k steps of NR
// values: row p of the tile's columns). The tile of C lives in row-major memory
// with stride ldc.
//
// C's rows are contiguous, so vectors run along NR and each step multiplies the NR/4
// vectors of B̃ by each of the MR values of Ã, taken straight from its lane by the
// by-element FMLA (no broadcast needed). With 32 q-registers, 8×12 is the shape of
// BLIS's armv8a kernel: 24 accumulators hide the FMA
// latency (4 cycles at 4 FMAs a cycle on Neoverse V1: 16 in flight) and leave 3
// registers for a step of B̃ and 2 for a step of Ã.
const gemmMR, gemmNR = 8, 12

// Registers of SgemmKernelNEON.
const (
	gemmB    VReg = 0 // V0–V2: one step of B̃ (12 floats); in the update, a row of C
	gemmA    VReg = 3 // V3–V4: one step of Ã (8 floats), rows 0–3 and 4–7
	gemmBeta VReg = 5 // lane 0: beta
	gemmAcc  VReg = 8 // V8–V31: row i of the tile in V(8+3i)–V(10+3i)
)

// gemmVecs is the number of q-registers across NR.
const gemmVecs = gemmNR / 4

// gemmAccOf is the accumulator of row i, vector j (columns 4j–4j+3). A row's three
// are consecutive, so one VST1 stores it.
func gemmAccOf(i, j int) VReg { return gemmAcc + VReg(i*gemmVecs+j) }

func gemmKernels(f *File) {
	sgemmKernel(f)
	gemmPackKernels(f)
}

func sgemmKernel(f *File) {
	fn := f.Func("SgemmKernelNEON", "func(k int, a, b, c []float32, ldc int, beta float32)",
		"for p := 0; p < k; p++ {",
		"	for i := 0; i < MR; i++ {",
		"		for j := 0; j < NR; j++ {",
		"			ab[i][j] += a[p*MR+i] * b[p*NR+j]",
		"		}",
		"	}",
		"}",
		"c[i*ldc+j] = beta*c[i*ldc+j] + ab[i][j] // for i < MR, j < NR; C is not read when beta = 0")
	fn.Intro(fmt.Sprintf("SgemmKernelNEON is the %d×%d micro-kernel: with MR = %d and NR = %d,", gemmMR, gemmNR, gemmMR, gemmNR))
	k, a, b, c, ldc, betaBits := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4), Reg(5)
	fn.LoadArg("k", k)
	fn.LoadArg("a_base", a)
	fn.LoadArg("b_base", b)
	fn.LoadArg("c_base", c)
	fn.LoadArg("ldc", ldc)
	fn.LSL(2, ldc) // bytes
	for i := 0; i < gemmMR; i++ {
		for j := 0; j < gemmVecs; j++ {
			fn.Zero(gemmAccOf(i, j))
		}
	}

	// One step p: ab[i][j] += a[p*MR+i] * b[p*NR+j] for the whole tile, 24 FMLAs
	// on independent accumulators.
	step := func() {
		fn.VLD1P(b, gemmB, gemmVecs)
		fn.VLD1P(a, gemmA, gemmMR/4)
		for i := 0; i < gemmMR; i++ {
			for j := 0; j < gemmVecs; j++ {
				fn.FMLAElem(gemmA+VReg(i/4), i%4, gemmB+VReg(j), gemmAccOf(i, j))
			}
		}
	}

	// The k loop, unrolled by two as the amd64 kernels are (both steps reuse the
	// same registers: renaming keeps them apart), then one step for an odd k. k is
	// kept biased by the unroll so that one SUBS per pass decides the loop.
	const kUnroll = 2
	fn.Comment("k loop, %d steps a pass", kUnroll)
	fn.SUBS(kUnroll, k) // k = steps left - 2
	fn.BLT("single")
	fn.PCALIGN(16)
	fn.Label("loop")
	for p := 0; p < kUnroll; p++ {
		step()
	}
	fn.SUBS(kUnroll, k)
	fn.BGE("loop")
	fn.Label("single")
	fn.ADDS(kUnroll, k) // k = steps left, 0 or 1
	fn.BEQ("update")
	step()

	// C = beta·C + AB. With beta = ±0, C is not read: BLAS says it is overwritten,
	// NaNs included. beta's bits shifted left by one are zero exactly then.
	fn.Label("update")
	fn.LoadArg32("beta", betaBits)
	fn.LSLW(1, betaBits)
	fn.CBZW(betaBits, "overwrite")
	fn.FMOVSArg("beta", gemmBeta)
	for i := 0; i < gemmMR; i++ {
		fn.VLD1(c, gemmB, gemmVecs)
		for j := 0; j < gemmVecs; j++ {
			// ab += c*beta with one rounding, as amd64's VFMADD231PS.
			fn.FMLAElem(gemmBeta, 0, gemmB+VReg(j), gemmAccOf(i, j))
		}
		fn.VST1(gemmAccOf(i, 0), gemmVecs, c)
		if i < gemmMR-1 {
			fn.ADD(ldc, c)
		}
	}
	fn.RET()

	fn.Label("overwrite")
	for i := 0; i < gemmMR; i++ {
		fn.VST1(gemmAccOf(i, 0), gemmVecs, c)
		if i < gemmMR-1 {
			fn.ADD(ldc, c)
		}
	}
	fn.RET()
	fn.End()
}
