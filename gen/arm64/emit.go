package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"strings"
)

// This file is the emitter: a File collects the functions of one .s file and their Go
// stubs, a Func is one TEXT block being written. Instruction methods take their
// operands in Go assembler order, sources first and destination last (VFMLA Vm, Vn,
// Vd computes Vd += Vn*Vm; FSUB m, n, d computes d = n - m), whether Go's
// assembler has the mnemonic (here) or the instruction is emitted as a WORD
// (encode.go). Kernels in vec.go use only these methods, never raw text, so that a
// new kernel family (GEMM, Jacobi) needs no new way of writing.

// Reg is a general-purpose register R0–R30. R18 (platform), R26–R30 (closure
// context, assembler temporary, g, frame pointer, link) are not for kernels.
type Reg int

func (r Reg) String() string { return fmt.Sprintf("R%d", int(r)) }

// VReg is a SIMD register V0–V31. All 32 may be clobbered by ABI0 assembly.
type VReg int

func (v VReg) String() string { return fmt.Sprintf("V%d", int(v)) }

// S4 is the register as four float32 lanes in Go syntax.
func (v VReg) S4() string { return fmt.Sprintf("V%d.S4", int(v)) }

// F is the register's low float32 lane as a scalar register: in Go syntax F0 is
// V0's lane 0 (Arm's s0).
func (v VReg) F() string { return fmt.Sprintf("F%d", int(v)) }

// File is one generated .s file with its Go stubs.
type File struct {
	asm   bytes.Buffer
	stubs bytes.Buffer
	names map[string]bool
}

// NewFile starts a file whose both outputs begin with header (the "Code generated"
// line) and the purego constraint.
func NewFile(header, pkg string) *File {
	f := &File{names: map[string]bool{}}
	fmt.Fprintf(&f.asm, "%s\n\n//go:build !purego\n\n#include \"textflag.h\"\n", header)
	fmt.Fprintf(&f.stubs, "%s\n\n//go:build !purego\n\npackage %s\n", header, pkg)
	return f
}

// Bytes returns the assembly and the Go stubs.
func (f *File) Bytes() (asm, stubs []byte) { return f.asm.Bytes(), f.stubs.Bytes() }

// Func starts the leaf function name with Go signature sig ("func(x, y []float32)
// float32"). The doc lines are the Go loop the function computes; they become its
// stub's doc comment, as in gonum's internal/asm. The function is written to the file
// by End.
func (f *File) Func(name, sig string, doc ...string) *Func {
	if f.names[name] {
		panic("gen/arm64: function " + name + " emitted twice")
	}
	f.names[name] = true
	fn := &Func{file: f, name: name, sig: sig, labels: map[string]bool{}, used: map[string]bool{}}
	fn.layoutFrame()
	fn.doc = doc
	return fn
}

// Func is one assembly function being written.
type Func struct {
	file   *File
	name   string
	sig    string
	intro  string // first line of the stub's doc comment, before the loop
	doc    []string
	notes  []string
	args   map[string]arg // argument slots by the names asmdecl expects (x_base, ret)
	argSz  int
	ptrs   bool // whether an argument holds a pointer (then the stub is go:noescape)
	body   strings.Builder
	labels map[string]bool // defined
	used   map[string]bool // branched to
}

// arg is one argument slot of the ABI0 frame.
type arg struct{ off, size int }

// layoutFrame computes the ABI0 argument frame of fn.sig: arguments in order, each
// aligned to its size (8 at most), results starting at the next multiple of 8. The
// slot names are those go vet's asmdecl check expects: a slice x is x_base, x_len
// and x_cap; a single unnamed result is ret.
func (fn *Func) layoutFrame() {
	e, err := parser.ParseExpr(fn.sig)
	if err != nil {
		panic(fmt.Sprintf("gen/arm64: %s: signature %q: %v", fn.name, fn.sig, err))
	}
	ft, ok := e.(*ast.FuncType)
	if !ok {
		panic(fmt.Sprintf("gen/arm64: %s: %q is not a func type", fn.name, fn.sig))
	}
	fn.args = map[string]arg{}
	off := 0
	add := func(name string, size int) {
		off = (off + size - 1) / size * size
		fn.args[name] = arg{off, size}
		off += size
	}
	fields := func(list *ast.FieldList, unnamed string) {
		if list == nil {
			return
		}
		for _, field := range list.List {
			typ := typeString(field.Type)
			names := []string{unnamed}
			if len(field.Names) > 0 {
				names = names[:0]
				for _, id := range field.Names {
					names = append(names, id.Name)
				}
			}
			for _, name := range names {
				switch typ {
				case "[]float32", "[]float64", "[]int":
					add(name+"_base", 8)
					add(name+"_len", 8)
					add(name+"_cap", 8)
					fn.ptrs = true
				case "*float32":
					add(name, 8)
					fn.ptrs = true
				case "int", "uintptr", "int64", "uint64", "float64":
					add(name, 8)
				case "float32", "int32", "uint32":
					add(name, 4)
				default:
					panic(fmt.Sprintf("gen/arm64: %s: unsupported type %s", fn.name, typ))
				}
			}
		}
	}
	fields(ft.Params, "")
	if ft.Results != nil {
		if ft.Results.NumFields() > 1 && len(ft.Results.List[0].Names) == 0 {
			panic(fmt.Sprintf("gen/arm64: %s: more than one result, unnamed", fn.name))
		}
		off = (off + 7) / 8 * 8
		fields(ft.Results, "ret")
	}
	// The frame size is where the last slot ends, not rounded: asmdecl checks it.
	fn.argSz = off
}

func typeString(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.ArrayType:
		if t.Len == nil {
			return "[]" + typeString(t.Elt)
		}
	case *ast.StarExpr:
		return "*" + typeString(t.X)
	}
	return fmt.Sprintf("%T", e)
}

// Arg returns the frame operand of argument slot name, e.g. "x_len+8(FP)".
func (fn *Func) Arg(name string) string {
	a, ok := fn.args[name]
	if !ok {
		panic(fmt.Sprintf("gen/arm64: %s has no argument %s", fn.name, name))
	}
	return fmt.Sprintf("%s+%d(FP)", name, a.off)
}

// End checks the labels and writes the function and its stub to the file.
func (fn *Func) End() {
	for l := range fn.used {
		if !fn.labels[l] {
			panic(fmt.Sprintf("gen/arm64: %s: branch to undefined label %s", fn.name, l))
		}
	}
	f := fn.file
	fmt.Fprintf(&f.asm, "\n// func %s%s\nTEXT ·%s(SB), NOSPLIT, $0-%d\n%s", fn.name, strings.TrimPrefix(fn.sig, "func"), fn.name, fn.argSz, fn.body.String())

	intro := fn.intro
	if intro == "" {
		intro = fn.name + " computes, with NEON:"
	}
	fmt.Fprintf(&f.stubs, "\n// %s\n//\n", intro)
	for _, line := range fn.doc {
		fmt.Fprintf(&f.stubs, "//\t%s\n", line)
	}
	fmt.Fprintf(&f.stubs, "//\n")
	for _, note := range fn.notes {
		fmt.Fprintf(&f.stubs, "// %s\n//\n", note)
	}
	if fn.ptrs {
		fmt.Fprintf(&f.stubs, "//go:noescape\n")
	}
	fmt.Fprintf(&f.stubs, "func %s%s\n", fn.name, strings.TrimPrefix(fn.sig, "func"))
}

// Intro replaces the first line of the stub's doc comment ("Name computes, with
// NEON:"), the sentence that introduces the loop; it should begin with the name.
func (fn *Func) Intro(text string) { fn.intro = text }

// Note adds a paragraph of prose to the stub's doc comment, after the loop.
func (fn *Func) Note(text string) { fn.notes = append(fn.notes, text) }

// inst writes one instruction line; the mnemonic is padded so operands line up.
func (fn *Func) inst(op string, operands ...string) {
	if len(operands) == 0 {
		fmt.Fprintf(&fn.body, "\t%s\n", op)
		return
	}
	fmt.Fprintf(&fn.body, "\t%-8s%s\n", op, strings.Join(operands, ", "))
}

// Comment writes a comment line, for the reader of the .s file.
func (fn *Func) Comment(format string, a ...any) {
	fmt.Fprintf(&fn.body, "\n\t// %s\n", fmt.Sprintf(format, a...))
}

// Labels and branches. Go's assembler scopes labels to their TEXT block, so every
// function may reuse the same names.

// Label defines label l at this point.
func (fn *Func) Label(l string) {
	if fn.labels[l] {
		panic(fmt.Sprintf("gen/arm64: %s: label %s defined twice", fn.name, l))
	}
	fn.labels[l] = true
	fmt.Fprintf(&fn.body, "\n%s:\n", l)
}

func (fn *Func) branch(op, l string) {
	fn.used[l] = true
	fn.inst(op, l)
}

func (fn *Func) B(l string)   { fn.branch("B", l) }
func (fn *Func) BEQ(l string) { fn.branch("BEQ", l) }
func (fn *Func) BNE(l string) { fn.branch("BNE", l) }
func (fn *Func) BLT(l string) { fn.branch("BLT", l) } // signed <
func (fn *Func) BGE(l string) { fn.branch("BGE", l) } // signed ≥
func (fn *Func) BLE(l string) { fn.branch("BLE", l) } // signed ≤

// CBZ branches to l when r is zero.
func (fn *Func) CBZ(r Reg, l string) {
	fn.used[l] = true
	fn.inst("CBZ", r.String(), l)
}

// CBZW branches to l when the low 32 bits of r are zero.
func (fn *Func) CBZW(r Reg, l string) {
	fn.used[l] = true
	fn.inst("CBZW", r.String(), l)
}

// PCALIGN pads with NOPs to an n-byte boundary, for the start of a hot loop.
func (fn *Func) PCALIGN(n int) { fn.inst("PCALIGN", fmt.Sprintf("$%d", n)) }

func (fn *Func) RET() { fn.inst("RET") }

// Integer instructions (Go's mnemonics).

// LoadArg loads the 8-byte argument slot name (a pointer, length or int) into r.
func (fn *Func) LoadArg(name string, r Reg) {
	if fn.args[name].size != 8 {
		panic(fmt.Sprintf("gen/arm64: %s: %s is not 8 bytes", fn.name, name))
	}
	fn.inst("MOVD", fn.Arg(name), r.String())
}

// LoadArg32 loads the 4-byte argument slot name (a float32's bits, an int32)
// into the low 32 bits of r, zeroing the upper 32.
func (fn *Func) LoadArg32(name string, r Reg) {
	if fn.args[name].size != 4 {
		panic(fmt.Sprintf("gen/arm64: %s: %s is not 4 bytes", fn.name, name))
	}
	fn.inst("MOVWU", fn.Arg(name), r.String())
}

// ADD computes d += m.
func (fn *Func) ADD(m, d Reg) { fn.inst("ADD", m.String(), d.String(), d.String()) }

// LSL computes r <<= imm.
func (fn *Func) LSL(imm int, r Reg) {
	fn.inst("LSL", fmt.Sprintf("$%d", imm), r.String(), r.String())
}

// LSLW computes r = uint32(r) << imm, zeroing the upper 32 bits.
func (fn *Func) LSLW(imm int, r Reg) {
	fn.inst("LSLW", fmt.Sprintf("$%d", imm), r.String(), r.String())
}

// SUBS computes r -= imm and sets the flags (signed compare of r with 0 after).
func (fn *Func) SUBS(imm int, r Reg) {
	fn.inst("SUBS", fmt.Sprintf("$%d", imm), r.String(), r.String())
}

// ADDS computes r += imm and sets the flags.
func (fn *Func) ADDS(imm int, r Reg) {
	fn.inst("ADDS", fmt.Sprintf("$%d", imm), r.String(), r.String())
}

// CMP compares r with imm (flags of r - imm).
func (fn *Func) CMP(imm int, r Reg) { fn.inst("CMP", fmt.Sprintf("$%d", imm), r.String()) }

// Loads and stores (Go's mnemonics). VLD1/VST1 take a list of one to four
// consecutive registers; the .P forms post-increment the base by the bytes moved.

func regList(first VReg, count int) string {
	if count < 1 || count > 4 {
		panic(fmt.Sprintf("gen/arm64: register list of %d", count))
	}
	regs := make([]string, count)
	for i := range regs {
		regs[i] = VReg((int(first) + i) % 32).S4()
	}
	return "[" + strings.Join(regs, ", ") + "]"
}

// VLD1P loads count q-registers from first on from (base), then base += 16*count.
func (fn *Func) VLD1P(base Reg, first VReg, count int) {
	fn.inst("VLD1.P", fmt.Sprintf("%d(%s)", 16*count, base), regList(first, count))
}

// VLD1 loads count q-registers from first on from (base), leaving base.
func (fn *Func) VLD1(base Reg, first VReg, count int) {
	fn.inst("VLD1", fmt.Sprintf("(%s)", base), regList(first, count))
}

// VST1 stores count q-registers from first on to (base), leaving base.
func (fn *Func) VST1(first VReg, count int, base Reg) {
	fn.inst("VST1", regList(first, count), fmt.Sprintf("(%s)", base))
}

// VST1P stores count q-registers from first on to (base), then base += 16*count.
func (fn *Func) VST1P(first VReg, count int, base Reg) {
	fn.inst("VST1.P", regList(first, count), fmt.Sprintf("%d(%s)", 16*count, base))
}

// FMOVSLoadP loads the float32 at (base) into lane 0 of v, zeroing lanes 1–3 (so
// the vector instructions can run on a single element), then base += 4.
func (fn *Func) FMOVSLoadP(base Reg, v VReg) { fn.inst("FMOVS.P", fmt.Sprintf("4(%s)", base), v.F()) }

// FMOVSLoad loads the float32 at (base) into lane 0 of v, zeroing lanes 1–3.
func (fn *Func) FMOVSLoad(base Reg, v VReg) { fn.inst("FMOVS", fmt.Sprintf("(%s)", base), v.F()) }

// FMOVSStoreP stores lane 0 of v to (base), then base += 4.
func (fn *Func) FMOVSStoreP(v VReg, base Reg) { fn.inst("FMOVS.P", v.F(), fmt.Sprintf("4(%s)", base)) }

// FMOVSArg loads the float32 argument name into lane 0 of v.
func (fn *Func) FMOVSArg(name string, v VReg) {
	if fn.args[name].size != 4 {
		panic(fmt.Sprintf("gen/arm64: %s: %s is not 4 bytes", fn.name, name))
	}
	fn.inst("FMOVS", fn.Arg(name), v.F())
}

// FMOVSRet stores lane 0 of v to the float32 result slot name.
func (fn *Func) FMOVSRet(v VReg, name string) {
	if fn.args[name].size != 4 {
		panic(fmt.Sprintf("gen/arm64: %s: %s is not 4 bytes", fn.name, name))
	}
	fn.inst("FMOVS", v.F(), fn.Arg(name))
}

// FMOVSOne sets lane 0 of v to 1.0 and zeroes the rest (FMOV's 8-bit immediate).
func (fn *Func) FMOVSOne(v VReg) { fn.inst("FMOVS", "$1.0", v.F()) }

// Scalar float32 arithmetic on lane 0 (Go's mnemonics).

// FSUBS computes d = n - m on lane 0.
func (fn *Func) FSUBS(m, n, d VReg) { fn.inst("FSUBS", m.F(), n.F(), d.F()) }

// Vector instructions that Go's assembler has.

// VEOR computes d = n ^ m bitwise; VEOR(v, v, v) zeroes v.
func (fn *Func) VEOR(m, n, d VReg) {
	fn.inst("VEOR", fmt.Sprintf("%s.B16", m), fmt.Sprintf("%s.B16", n), fmt.Sprintf("%s.B16", d))
}

// Zero sets v to +0 in every lane.
func (fn *Func) Zero(v VReg) { fn.VEOR(v, v, v) }

// VAND computes d = n & m bitwise.
func (fn *Func) VAND(m, n, d VReg) {
	fn.inst("VAND", fmt.Sprintf("%s.B16", m), fmt.Sprintf("%s.B16", n), fmt.Sprintf("%s.B16", d))
}

// VDUP broadcasts lane i of float32 vector n to the four lanes of d.
func (fn *Func) VDUP(n VReg, i int, d VReg) {
	fn.inst("VDUP", fmt.Sprintf("%s.S[%d]", n, i), d.S4())
}

// VFMLA computes d += n*m, lane by lane, with one rounding.
func (fn *Func) VFMLA(m, n, d VReg) { fn.inst("VFMLA", m.S4(), n.S4(), d.S4()) }

// VFMLS computes d -= n*m, lane by lane, with one rounding.
func (fn *Func) VFMLS(m, n, d VReg) { fn.inst("VFMLS", m.S4(), n.S4(), d.S4()) }

// word writes an instruction Go's assembler lacks as its encoding, with the
// instruction in Arm syntax as the comment: the only record of what it is. The
// comment is in the exact syntax GNU as accepts, so that encode_test.go can
// assemble it and compare.
func (fn *Func) word(w uint32, armSyntax string) {
	fn.inst("WORD", fmt.Sprintf("$0x%08x // %s", w, armSyntax))
}
