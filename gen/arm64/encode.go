package main

import "fmt"

// Encodings of the Advanced SIMD instructions that Go's arm64 assembler has no
// mnemonic for: almost all floating-point vector arithmetic (it has VFMLA and VFMLS
// but no FADD, FMUL, FDIV, FSQRT, FMAX, FADDP, FCMGT or any by-element form). They are
// emitted as WORD with the instruction in Arm syntax as the comment.
//
// Each constant is the instruction's word with every register field zero, for the
// float32 forms (sz = 0) on a full 128-bit vector (Q = 1), as the Arm Architecture
// Reference Manual lists them. The registers go in Rd (bits 0–4), Rn (5–9) and Rm
// (16–20). encode_test.go checks every one against GNU as.
const (
	// Three registers of the same type: Vd.4S = Vn.4S op Vm.4S.
	encFADD  = 0x4e20d400
	encFSUB  = 0x4ea0d400
	encFMUL  = 0x6e20dc00
	encFDIV  = 0x6e20fc00
	encFMAX  = 0x4e20f400 // NaN in either operand gives NaN
	encFMIN  = 0x4ea0f400
	encFADDP = 0x6e20d400 // pairwise: d = {n0+n1, n2+n3, m0+m1, m2+m3}

	// Two-register miscellaneous: Vd.4S = op(Vn.4S).
	encFSQRT     = 0x6ea1f800
	encFCMGTZero = 0x4ea0c800 // all ones where n > 0, zero elsewhere (NaN included)

	// Scalar pairwise: Sd = Vn.S[0] + Vn.S[1].
	encFADDPScalar = 0x7e30d800

	// By element: Vd.4S op= Vn.4S * Vm.S[i]. For float32 the index is H:L (bits 11
	// and 21) and Rm is all five bits 16–20 (M:Rm), so any of V0–V31 may be the
	// element register.
	encFMLAElem = 0x4f801000
	encFMULElem = 0x4f809000
)

func field(v VReg) uint32 {
	if v < 0 || v > 31 {
		panic(fmt.Sprintf("gen/arm64: no register V%d", int(v)))
	}
	return uint32(v)
}

// rrr encodes a three-register instruction.
func rrr(base uint32, d, n, m VReg) uint32 {
	return base | field(m)<<16 | field(n)<<5 | field(d)
}

// rr encodes a two-register instruction.
func rr(base uint32, d, n VReg) uint32 { return base | field(n)<<5 | field(d) }

// elem encodes a by-element instruction on float32 lane i of m.
func elem(base uint32, d, n, m VReg, i int) uint32 {
	if i < 0 || i > 3 {
		panic(fmt.Sprintf("gen/arm64: no float32 lane %d", i))
	}
	h, l := uint32(i>>1), uint32(i&1)
	return base | l<<21 | field(m)<<16 | h<<11 | field(n)<<5 | field(d)
}

// v4s is v in Arm syntax as four float32 lanes.
func v4s(v VReg) string { return fmt.Sprintf("v%d.4s", int(v)) }

func (fn *Func) rrr(mnemonic string, base uint32, m, n, d VReg) {
	fn.word(rrr(base, d, n, m), fmt.Sprintf("%s %s, %s, %s", mnemonic, v4s(d), v4s(n), v4s(m)))
}

// FADD computes d = n + m.
func (fn *Func) FADD(m, n, d VReg) { fn.rrr("fadd", encFADD, m, n, d) }

// FSUB computes d = n - m.
func (fn *Func) FSUB(m, n, d VReg) { fn.rrr("fsub", encFSUB, m, n, d) }

// FMUL computes d = n * m.
func (fn *Func) FMUL(m, n, d VReg) { fn.rrr("fmul", encFMUL, m, n, d) }

// FDIV computes d = n / m.
func (fn *Func) FDIV(m, n, d VReg) { fn.rrr("fdiv", encFDIV, m, n, d) }

// FMAX computes d = max(n, m); a NaN in either gives NaN, and max(-0, +0) = +0.
func (fn *Func) FMAX(m, n, d VReg) { fn.rrr("fmax", encFMAX, m, n, d) }

// FMIN computes d = min(n, m); a NaN in either gives NaN.
func (fn *Func) FMIN(m, n, d VReg) { fn.rrr("fmin", encFMIN, m, n, d) }

// FADDP adds adjacent pairs: d = {n0+n1, n2+n3, m0+m1, m2+m3}.
func (fn *Func) FADDP(m, n, d VReg) { fn.rrr("faddp", encFADDP, m, n, d) }

// FSQRT computes d = sqrt(n), correctly rounded.
func (fn *Func) FSQRT(n, d VReg) {
	fn.word(rr(encFSQRT, d, n), fmt.Sprintf("fsqrt %s, %s", v4s(d), v4s(n)))
}

// FCMGTZero sets each lane of d to all ones where n > 0 and to zero elsewhere
// (NaN and -0 included): a mask for VAND.
func (fn *Func) FCMGTZero(n, d VReg) {
	fn.word(rr(encFCMGTZero, d, n), fmt.Sprintf("fcmgt %s, %s, #0.0", v4s(d), v4s(n)))
}

// FADDPScalar sets lane 0 of d to n0 + n1 and zeroes the rest.
func (fn *Func) FADDPScalar(n, d VReg) {
	fn.word(rr(encFADDPScalar, d, n), fmt.Sprintf("faddp s%d, v%d.2s", int(d), int(n)))
}

// FMLAElem computes d += n * m[i] (one rounding): the GEMM micro-kernel's step.
func (fn *Func) FMLAElem(m VReg, i int, n, d VReg) {
	fn.word(elem(encFMLAElem, d, n, m, i), fmt.Sprintf("fmla %s, %s, v%d.s[%d]", v4s(d), v4s(n), int(m), i))
}

// FMULElem computes d = n * m[i].
func (fn *Func) FMULElem(m VReg, i int, n, d VReg) {
	fn.word(elem(encFMULElem, d, n, m, i), fmt.Sprintf("fmul %s, %s, v%d.s[%d]", v4s(d), v4s(n), int(m), i))
}
