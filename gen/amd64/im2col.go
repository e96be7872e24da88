package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The block kernels of im2col and col2im (kernels/im2col.go): a row of the
// im2col matrix is a block of short runs (OW values, 2 to 32 in the papers'
// layers) at a fixed stride in the polyphase image. One call moves the whole
// block, each run as whole vectors and one masked vector, so that a run costs a
// few instructions rather than a function call.

// AddRows exists in AVX2 only, and the AVX-512 variant uses it: col2im adds
// blocks that overlap the previous ones shifted by one value, and the 16-lane
// masked load-add-store of a short run (OW < 16) ran at half the speed of the
// 8-lane one on the Zen 5 core these were measured on (stalls on forwarding
// from masked stores), where CopyRows, which reads what it never wrote, runs
// as fast in either width.
func im2colKernels() {
	constants()
	for _, a := range isas {
		copyRows(a)
		correlateTaps(a)
		correlateTapsGrad(a)
	}
	addRows(avx2)
}

// rowLoop emits the loop over the rows of a block: body moves one run of cols
// values at the current dst and src, after which dst and src advance by their
// row strides in bytes.
func rowLoop(fn string, rows, cols, dst, dstStride, src, srcStride GPVirtual, body func(n GPVirtual)) {
	Label(fn + "_rows")
	TESTQ(rows, rows)
	JZ(LabelRef(fn + "_end"))
	n := GP64()
	MOVQ(cols, n)
	body(n)
	ADDQ(dstStride, dst)
	ADDQ(srcStride, src)
	DECQ(rows)
	JMP(LabelRef(fn + "_rows"))
	Label(fn + "_end")
	VZEROUPPER()
	RET()
}

// strideBytes loads the integer argument name and returns it times 4.
func strideBytes(name string) GPVirtual {
	r := Load(Param(name), GP64()).(GPVirtual)
	SHLQ(U8(2), r)
	return r
}

func copyRows(a *isa) {
	fn := a.kernel("CopyRows", "func(dst, src []float32, rows, cols, ldsrc int)",
		"for r := 0; r < rows; r++ {",
		"\tfor k := 0; k < cols; k++ {",
		"\t\tdst[r*cols+k] = src[r*ldsrc+k]",
		"\t}",
		"}")
	dst, src := base("dst"), base("src")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	cols := Load(Param("cols"), GP64()).(GPVirtual)
	dstStride, srcStride := strideBytes("cols"), strideBytes("ldsrc")
	rowLoop(fn, rows, cols, dst, dstStride, src, srcStride, func(n GPVirtual) {
		a.stream(fn, n, mapUnroll, func(s step) {
			for j := 0; j < s.count; j++ {
				s.store(s.load(src, j), dst, j)
			}
		})
	})
}

func addRows(a *isa) {
	fn := a.kernel("AddRows", "func(dst []float32, ldd int, src []float32, rows, cols int)",
		"for r := 0; r < rows; r++ {",
		"\tfor k := 0; k < cols; k++ {",
		"\t\tdst[r*ldd+k] += src[r*cols+k]",
		"\t}",
		"}")
	dst, src := base("dst"), base("src")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	cols := Load(Param("cols"), GP64()).(GPVirtual)
	dstStride, srcStride := strideBytes("ldd"), strideBytes("cols")
	rowLoop(fn, rows, cols, dst, dstStride, src, srcStride, func(n GPVirtual) {
		a.stream(fn, n, mapUnroll, func(s step) {
			for j := 0; j < s.count; j++ {
				v := s.load(src, j)
				VADDPS(s.src(dst, j), v, v)
				s.store(v, dst, j)
			}
		})
	})
}
