package main

// The block kernels of im2col and col2im (kernels/im2col.go): rows runs of cols
// floats at a fixed stride on one side and contiguous on the other. Each run goes
// through stream's loops (16, 4, then 1 float per pass); a run's start is kept in
// a register and advanced by the stride, because stream moves the pointers it
// reads and writes.

func im2colKernels(f *File) {
	copyRows(f)
	addRows(f)
}

// rowLoop emits the loop over the rows counted down in register rows; body moves
// one run of cols floats.
func rowLoop(fn *Func, rows Reg, body func()) {
	fn.Label("rows")
	fn.CBZ(rows, "end")
	body()
	fn.SUBS(1, rows)
	fn.B("rows")
	fn.Label("end")
	fn.RET()
	fn.End()
}

func copyRows(f *File) {
	fn := f.Func("CopyRowsNEON", "func(dst, src []float32, rows, cols, ldsrc int)",
		"for r := 0; r < rows; r++ {",
		"\tfor k := 0; k < cols; k++ {",
		"\t\tdst[r*cols+k] = src[r*ldsrc+k]",
		"\t}",
		"}")
	dst, srcRow, rows, cols, ld, src, n := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4), Reg(5), Reg(6)
	fn.LoadArg("dst_base", dst)
	fn.LoadArg("src_base", srcRow)
	fn.LoadArg("rows", rows)
	fn.LoadArg("cols", cols)
	fn.LoadArg("ldsrc", ld)
	fn.LSL(2, ld)
	const v VReg = 0
	rowLoop(fn, rows, func() {
		fn.MOVR(srcRow, src)
		fn.MOVR(cols, n)
		stream(fn, n, func(s step) {
			s.load(src, v)
			s.store(v, dst) // dst is contiguous: stream leaves it at the next run
		})
		fn.ADD(ld, srcRow)
	})
}

func addRows(f *File) {
	fn := f.Func("AddRowsNEON", "func(dst []float32, ldd int, src []float32, rows, cols int)",
		"for r := 0; r < rows; r++ {",
		"\tfor k := 0; k < cols; k++ {",
		"\t\tdst[r*ldd+k] += src[r*cols+k]",
		"\t}",
		"}")
	dstRow, ld, src, rows, cols, dst, n := Reg(0), Reg(1), Reg(2), Reg(3), Reg(4), Reg(5), Reg(6)
	fn.LoadArg("dst_base", dstRow)
	fn.LoadArg("ldd", ld)
	fn.LoadArg("src_base", src)
	fn.LoadArg("rows", rows)
	fn.LoadArg("cols", cols)
	fn.LSL(2, ld)
	const vs, vd VReg = 0, 4
	rowLoop(fn, rows, func() {
		fn.MOVR(dstRow, dst)
		fn.MOVR(cols, n)
		stream(fn, n, func(s step) {
			s.load(src, vs) // src is contiguous: stream leaves it at the next run
			s.peek(dst, vd)
			s.each(func(j VReg) { fn.FADD(vs+j, vd+j, vd+j) })
			s.store(vd, dst)
		})
		fn.ADD(ld, dstRow)
	})
}
