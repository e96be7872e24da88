package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The float64 kernels of the symmetric eigensolver that preconditions the SVD
// (linalg/eigen_sym.go, linalg/svd_eigen.go): dot products, axpys,
// matrix-vector products and rank-2 updates on column-major matrices, whose
// columns are the contiguous ones, the rotation sequence of a QL sweep, a
// four-column GEMM, and the float32↔float64 conversions. The eigensolver's
// vectors have every length, so fewer than a vector of elements at the end go
// through one masked vector (pd.masked), not one element at a time.

// avx2TailMasks64 holds four all-ones quadwords followed by four zero ones:
// the four starting at quadword 4−r form the VMASKMOVPD mask for r lanes.
var avx2TailMasks64 Mem

// oneF64 is the float64 constant 1.
var oneF64 Mem

func eigenKernels() {
	oneF64 = GLOBL("oneF64", RODATA|NOPTR)
	DATA(0, U64(0x3ff0000000000000))
	avx2TailMasks64 = GLOBL("avx2TailMasks64", RODATA|NOPTR)
	for i := 0; i < 8; i++ {
		w := uint64(0)
		if i < 4 {
			w = ^uint64(0)
		}
		DATA(8*i, U64(w))
	}
	for _, a := range isas {
		dot64(a)
		axpy64(a)
		gemv64(a)
		gemvT64(a)
		rank2Update64(a)
		rotateSeq64(a)
		gemm4Cols64(a)
		widen(a)
		narrow(a)
		secularTerms(a)
		scaleQuotients64(a)
		quotients64(a)
	}
}

// countedLoop emits: while n ≥ step { body(); i += step; n -= step } under the
// label name.
func countedLoop(name string, i, n GPVirtual, step int, body func()) {
	Label(name)
	CMPQ(n, U32(step))
	JB(LabelRef(name + "_end"))
	body()
	ADDQ(U32(step), i)
	SUBQ(U32(step), n)
	JMP(LabelRef(name))
	Label(name + "_end")
}

// pd moves float64 vectors between memory and registers: whole ones, or under
// mask only the first lanes (masked loads read zeros elsewhere and do not
// fault, masked stores leave the rest of memory untouched).
type pd struct {
	a    *isa
	mask Op // nil: whole vectors
}

// masked returns the pd of the first n float64 lanes, 0 < n < a.lanes/2.
func (a *isa) masked(n GPVirtual) pd {
	if a == avx512 {
		return pd{a, lowLanes(n, 0xff)}
	}
	tab, neg := GP64(), GP64()
	LEAQ(avx2TailMasks64, tab)
	MOVQ(n, neg)
	NEGQ(neg)
	mask := a.vec()
	VMOVUPD(Mem{Base: tab, Index: neg, Scale: 8, Disp: 32}, mask)
	return pd{a, mask}
}

func (m pd) load(mem Mem, v VecVirtual) {
	switch {
	case m.mask == nil:
		VMOVUPD(mem, v)
	case m.a == avx512:
		VMOVUPD_Z(mem, m.mask, v)
	default:
		VMASKMOVPD(mem, m.mask.(VecVirtual), v)
	}
}

func (m pd) store(v VecVirtual, mem Mem) {
	switch {
	case m.mask == nil:
		VMOVUPD(v, mem)
	case m.a == avx512:
		VMOVUPD(v, m.mask, mem)
	default:
		VMASKMOVPD(v, m.mask.(VecVirtual), mem)
	}
}

// onesPastEnd returns the divisor v with 1 in the lanes past m's end (v itself
// for a whole vector), where masked loads read zeros and a division would
// give 0/0.
func (m pd) onesPastEnd(v VecVirtual) VecVirtual {
	if m.mask == nil {
		return v
	}
	one := m.a.vec()
	VBROADCASTSD(oneF64, one)
	if m.a == avx512 {
		VMOVAPD(v, m.mask, one)
	} else {
		VBLENDVPD(m.mask.(VecVirtual), v, one, one)
	}
	return one
}

// tail emits body(m) once for the last n < a.lanes/2 elements, if any, under
// the label name.
func (a *isa) tail(name string, n GPVirtual, body func(m pd)) {
	TESTQ(n, n)
	JZ(LabelRef(name + "_none"))
	body(a.masked(n))
	Label(name + "_none")
}

// rowBlocks emits the row loop of the matrix kernels: blocks of unroll
// vectors from row i on, then single vectors, then one masked vector; block
// emits the work on count vectors moved as m says, with labels from label.
func (a *isa) rowBlocks(fn string, i, rows GPVirtual, unroll int, block func(label string, count int, m pd)) {
	dl := a.lanes / 2
	whole := pd{a: a}
	countedLoop(fn+"_block", i, rows, unroll*dl, func() { block(fn+"_block", unroll, whole) })
	countedLoop(fn+"_single", i, rows, dl, func() { block(fn+"_single", 1, whole) })
	a.tail(fn+"_tail", rows, func(m pd) { block(fn+"_tail", 1, m) })
}

func dot64(a *isa) {
	fn := a.kernel("Dot64", "func(x, y []float64) float64", "for i := range x { s += x[i] * y[i] }", "return s")
	x, y, n := base("x"), base("y"), length("x")
	dl := a.lanes / 2
	acc := a.zeros(reduceUnroll)
	i := GP64()
	XORQ(i, i)
	addr := func(b Register, j int) Mem { return Mem{Base: b, Index: i, Scale: 8, Disp: 8 * dl * j} }
	body := func(count int) func() {
		return func() {
			for j := 0; j < count; j++ {
				v := a.vec()
				VMOVUPD(addr(x, j), v)
				VFMADD231PD(addr(y, j), v, acc[j])
			}
		}
	}
	countedLoop(fn+"_block", i, n, reduceUnroll*dl, body(reduceUnroll))
	countedLoop(fn+"_single", i, n, dl, body(1))
	a.tail(fn+"_tail", n, func(m pd) {
		vx, vy := a.vec(), a.vec()
		m.load(addr(x, 0), vx)
		m.load(addr(y, 0), vy)
		VFMADD231PD(vy, vx, acc[0])
	})
	Store(a.pdHorizontalSum(acc), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

func axpy64(a *isa) {
	fn := a.kernel("Axpy64", "func(alpha float64, x, y []float64)", "for i := range x { y[i] += alpha * x[i] }")
	x, y, n := base("x"), base("y"), length("x")
	dl := a.lanes / 2
	alpha := a.vec()
	VBROADCASTSD(paramAddr("alpha"), alpha)
	i := GP64()
	XORQ(i, i)
	addr := func(b Register, j int) Mem { return Mem{Base: b, Index: i, Scale: 8, Disp: 8 * dl * j} }
	body := func(count int) func() {
		return func() {
			for j := 0; j < count; j++ {
				v := a.vec()
				VMOVUPD(addr(y, j), v)
				VFMADD231PD(addr(x, j), alpha, v)
				VMOVUPD(v, addr(y, j))
			}
		}
	}
	countedLoop(fn+"_block", i, n, mapUnroll*dl, body(mapUnroll))
	countedLoop(fn+"_single", i, n, dl, body(1))
	a.tail(fn+"_tail", n, func(m pd) {
		vx, vy := a.vec(), a.vec()
		m.load(addr(x, 0), vx)
		m.load(addr(y, 0), vy)
		VFMADD231PD(vx, alpha, vy)
		m.store(vy, addr(y, 0))
	})
	VZEROUPPER()
	RET()
}

// gemv64 keeps a block of y in reduceUnroll vector accumulators (eight FMA
// chains hide the latency) while it runs down all the columns, so that y is
// read and written once per block and every column element loaded once.
func gemv64(a *isa) {
	fn := a.kernel("Gemv64", "func(y, x []float64, ldx int, alpha []float64)",
		"for k, ak := range alpha {",
		"\tfor i := range y { y[i] += ak * x[k*ldx+i] }",
		"}")
	y, x, rows, cols := base("y"), base("x"), length("y"), length("alpha")
	al := base("alpha")
	ld := GP64()
	Load(Param("ldx"), ld)
	SHLQ(U8(3), ld) // in bytes
	dl := a.lanes / 2
	i := GP64() // the row of the block, in elements
	XORQ(i, i)
	// block emits y[i:i+count*dl] += X[i:i+count*dl, :]·alpha with count
	// accumulators (one masked one for the tail).
	block := func(label string, count int, m pd) {
		xp, k := GP64(), GP64()
		LEAQ(Mem{Base: x, Index: i, Scale: 8}, xp)
		MOVQ(cols, k)
		ya := func(j int) Mem { return Mem{Base: y, Index: i, Scale: 8, Disp: 8 * dl * j} }
		acc := make([]VecVirtual, count)
		for j := range acc {
			acc[j] = a.vec()
			m.load(ya(j), acc[j])
		}
		ap := GP64()
		MOVQ(al, ap)
		Label(label + "_k")
		TESTQ(k, k)
		JZ(LabelRef(label + "_store"))
		b := a.vec()
		VBROADCASTSD(Mem{Base: ap}, b)
		for j := range acc {
			if m.mask == nil {
				VFMADD231PD(Mem{Base: xp, Disp: 8 * dl * j}, b, acc[j])
			} else {
				t := a.vec()
				m.load(Mem{Base: xp, Disp: 8 * dl * j}, t)
				VFMADD231PD(t, b, acc[j])
			}
		}
		ADDQ(U8(8), ap)
		ADDQ(ld, xp)
		DECQ(k)
		JMP(LabelRef(label + "_k"))
		Label(label + "_store")
		for j := range acc {
			m.store(acc[j], ya(j))
		}
	}
	a.rowBlocks(fn, i, rows, reduceUnroll, block)
	VZEROUPPER()
	RET()
}

// gemvT64 dots gemvT64Columns columns at a time with alpha, one accumulator
// each, so that every vector of alpha is loaded once for all of them and the
// FMA chains are independent.
const gemvT64Columns = 4

func gemvT64(a *isa) {
	fn := a.kernel("GemvT64", "func(y, x []float64, ldx int, alpha []float64)",
		"for k := range y {",
		"\tfor i, ai := range alpha { y[k] += x[k*ldx+i] * ai }",
		"}")
	y, x, cols, rows := base("y"), base("x"), length("y"), length("alpha")
	al := base("alpha")
	ld := GP64()
	Load(Param("ldx"), ld)
	SHLQ(U8(3), ld)
	dl := a.lanes / 2
	k := GP64() // the first column of the group
	XORQ(k, k)
	xp := GP64() // its first element
	MOVQ(x, xp)
	group := func(label string, count int) func() {
		return func() {
			acc := a.zeros(count)
			ptr := make([]GPVirtual, count)
			for j := range ptr {
				ptr[j] = GP64()
				if j == 0 {
					MOVQ(xp, ptr[j])
				} else {
					LEAQ(Mem{Base: ptr[j-1], Index: ld, Scale: 1}, ptr[j])
				}
			}
			i, n := GP64(), GP64()
			XORQ(i, i)
			MOVQ(rows, n)
			countedLoop(label+"_vec", i, n, dl, func() {
				v := a.vec()
				VMOVUPD(Mem{Base: al, Index: i, Scale: 8}, v)
				for j := range acc {
					VFMADD231PD(Mem{Base: ptr[j], Index: i, Scale: 8}, v, acc[j])
				}
			})
			a.tail(label+"_tail", n, func(m pd) {
				v := a.vec()
				m.load(Mem{Base: al, Index: i, Scale: 8}, v)
				for j := range acc {
					t := a.vec()
					m.load(Mem{Base: ptr[j], Index: i, Scale: 8}, t)
					VFMADD231PD(t, v, acc[j])
				}
			})
			sums := make([]Register, count)
			for j := range acc {
				sums[j] = a.pdHorizontalSum(acc[j : j+1])
			}
			for j := range sums {
				VADDSD(Mem{Base: y, Index: k, Scale: 8, Disp: 8 * j}, sums[j], sums[j])
				VMOVSD(sums[j], Mem{Base: y, Index: k, Scale: 8, Disp: 8 * j})
			}
			for range count {
				ADDQ(ld, xp)
			}
		}
	}
	countedLoop(fn+"_group", k, cols, gemvT64Columns, group(fn+"_group", gemvT64Columns))
	countedLoop(fn+"_single", k, cols, 1, group(fn+"_single", 1))
	VZEROUPPER()
	RET()
}

func rank2Update64(a *isa) {
	fn := a.kernel("Rank2Update64", "func(c []float64, ldc int, x, y, alpha, beta []float64)",
		"for j := range alpha {",
		"\tfor i := range x { c[j*ldc+i] += alpha[j]*x[i] + beta[j]*y[i] }",
		"}")
	cp, x, y, rows, cols := base("c"), base("x"), base("y"), length("x"), length("alpha")
	al, be := base("alpha"), base("beta")
	ld := GP64()
	Load(Param("ldc"), ld)
	SHLQ(U8(3), ld)
	dl := a.lanes / 2
	j := GP64()
	XORQ(j, j)
	countedLoop(fn+"_col", j, cols, 1, func() {
		va, vb := a.vec(), a.vec()
		VBROADCASTSD(Mem{Base: al, Index: j, Scale: 8}, va)
		VBROADCASTSD(Mem{Base: be, Index: j, Scale: 8}, vb)
		i, n := GP64(), GP64()
		XORQ(i, i)
		MOVQ(rows, n)
		addr := func(b Register, u int) Mem { return Mem{Base: b, Index: i, Scale: 8, Disp: 8 * dl * u} }
		body := func(count int) func() {
			return func() {
				for u := 0; u < count; u++ {
					v := a.vec()
					VMOVUPD(addr(cp, u), v)
					VFMADD231PD(addr(x, u), va, v)
					VFMADD231PD(addr(y, u), vb, v)
					VMOVUPD(v, addr(cp, u))
				}
			}
		}
		countedLoop(fn+"_block", i, n, mapUnroll*dl, body(mapUnroll))
		countedLoop(fn+"_single", i, n, dl, body(1))
		a.tail(fn+"_tail", n, func(m pd) {
			v, vx, vy := a.vec(), a.vec(), a.vec()
			m.load(addr(cp, 0), v)
			m.load(addr(x, 0), vx)
			m.load(addr(y, 0), vy)
			VFMADD231PD(vx, va, v)
			VFMADD231PD(vy, vb, v)
			m.store(v, addr(cp, 0))
		})
		ADDQ(ld, cp)
	})
	VZEROUPPER()
	RET()
}

// rotateSeq64Unroll row vectors go down the sequence together: each carries
// one column through every rotation, a chain of a multiply and an FMA per
// rotation, which four independent chains hide.
const rotateSeq64Unroll = 4

func rotateSeq64(a *isa) {
	fn := a.kernel("RotateSeq64", "func(z []float64, ld int, c, s []float64)",
		"for k := len(c) - 1; k >= 0; k-- {",
		"\tx, y := z[k*ld:(k+1)*ld], z[(k+1)*ld:(k+2)*ld]",
		"\tfor i := range x {",
		"\t\tx[i], y[i] = c[k]*x[i] - s[k]*y[i], s[k]*x[i] + c[k]*y[i]",
		"\t}",
		"}")
	zb, nrot, cb, sb := base("z"), length("c"), base("c"), base("s")
	ld, rows := GP64(), GP64()
	Load(Param("ld"), ld)
	MOVQ(ld, rows)
	SHLQ(U8(3), ld)
	dl := a.lanes / 2
	i := GP64() // the first row of the block
	XORQ(i, i)
	// block runs the rotations down count vectors of rows (one masked vector
	// for the tail), carrying column k+1 in registers and storing each column
	// once.
	block := func(label string, count int, m pd) {
		p := GP64() // row i of the last column, then of column k
		MOVQ(nrot, p)
		IMULQ(ld, p)
		ADDQ(zb, p)
		LEAQ(Mem{Base: p, Index: i, Scale: 8}, p)
		carry := make([]VecVirtual, count)
		for u := range carry {
			carry[u] = a.vec()
			m.load(Mem{Base: p, Disp: 8 * dl * u}, carry[u])
		}
		k := GP64()
		MOVQ(nrot, k)
		Label(label + "_rot")
		TESTQ(k, k)
		JZ(LabelRef(label + "_last"))
		DECQ(k)
		SUBQ(ld, p)
		ck, sk := a.vec(), a.vec()
		VBROADCASTSD(Mem{Base: cb, Index: k, Scale: 8}, ck)
		VBROADCASTSD(Mem{Base: sb, Index: k, Scale: 8}, sk)
		for u := range carry {
			x, ny, nc := a.vec(), a.vec(), a.vec()
			m.load(Mem{Base: p, Disp: 8 * dl * u}, x)
			VMULPD(carry[u], ck, ny)
			VFMADD231PD(x, sk, ny) // column k+1: s·x + c·y
			VMULPD(carry[u], sk, nc)
			VFMSUB231PD(x, ck, nc) // column k: c·x − s·y
			m.store(ny, Mem{Base: p, Index: ld, Scale: 1, Disp: 8 * dl * u})
			VMOVAPD(nc, carry[u])
		}
		JMP(LabelRef(label + "_rot"))
		Label(label + "_last")
		for u := range carry {
			m.store(carry[u], Mem{Base: p, Disp: 8 * dl * u})
		}
	}
	a.rowBlocks(fn, i, rows, rotateSeq64Unroll, block)
	VZEROUPPER()
	RET()
}

// gemm4Cols64 is four matrix-vector products in one: each vector of A's
// column is loaded once for four FMAs, which takes the products off the
// memory bound that Gemv64 has when A does not fit in L1 (X·Z and XᵀX of the
// SVD's preconditioner). Rows go rowVectors vectors at a time (16
// accumulators on AVX-512, 8 on AVX2), then one vector, then a masked one.
func gemm4Cols64(a *isa) {
	fn := a.kernel("Gemm4Cols64", "func(m, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int)",
		"for j := 0; j < 4; j++ {",
		"\tfor p := 0; p < k; p++ {",
		"\t\tfor i := 0; i < m; i++ { c[j*ldc+i] += a[p*lda+i] * b[j*ldb+p] }",
		"\t}",
		"}")
	rows, kk := GP64(), GP64()
	Load(Param("m"), rows)
	Load(Param("k"), kk)
	ab, bb, cb := base("a"), base("b"), base("c")
	lda, ldb, ldc := GP64(), GP64(), GP64()
	Load(Param("lda"), lda)
	Load(Param("ldb"), ldb)
	Load(Param("ldc"), ldc)
	SHLQ(U8(3), lda)
	SHLQ(U8(3), ldb)
	SHLQ(U8(3), ldc)
	ldb3, ldc3 := GP64(), GP64()
	LEAQ(Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, ldc3)
	dl := a.lanes / 2
	i := GP64()
	XORQ(i, i)
	// col returns the address of element off (bytes) of column j of a matrix
	// at base with stride ld (bytes) and 3·ld in ld3.
	col := func(base, ld, ld3 Register, j int, off Mem) Mem {
		m := off
		m.Base = base
		switch j {
		case 0:
		case 1, 2:
			m.Index, m.Scale = ld, uint8(j)
		case 3:
			m.Index, m.Scale = ld3, 1
		}
		return m
	}
	// block emits rows i… of C's four columns in count vectors of
	// accumulators (one masked vector for the tail).
	block := func(label string, count int, m pd) {
		cp := GP64()
		LEAQ(Mem{Base: cb, Index: i, Scale: 8}, cp)
		acc := make([][4]VecVirtual, count)
		for u := range acc {
			for j := range 4 {
				acc[u][j] = a.vec()
				m.load(col(cp, ldc, ldc3, j, Mem{Disp: 8 * dl * u}), acc[u][j])
			}
		}
		ap, bp, p := GP64(), GP64(), GP64()
		LEAQ(Mem{Base: ab, Index: i, Scale: 8}, ap)
		MOVQ(bb, bp)
		MOVQ(kk, p)
		Label(label + "_k")
		TESTQ(p, p)
		JZ(LabelRef(label + "_store"))
		var bv [4]VecVirtual
		for j := range bv {
			bv[j] = a.vec()
			VBROADCASTSD(col(bp, ldb, ldb3, j, Mem{}), bv[j])
		}
		for u := range acc {
			x := a.vec()
			m.load(Mem{Base: ap, Disp: 8 * dl * u}, x)
			for j := range 4 {
				VFMADD231PD(x, bv[j], acc[u][j])
			}
		}
		ADDQ(lda, ap)
		ADDQ(U8(8), bp)
		DECQ(p)
		JMP(LabelRef(label + "_k"))
		Label(label + "_store")
		for u := range acc {
			for j := range 4 {
				m.store(acc[u][j], col(cp, ldc, ldc3, j, Mem{Disp: 8 * dl * u}))
			}
		}
	}
	rowVectors := 4
	if a == avx2 {
		rowVectors = 2 // 8 accumulators and 4 broadcasts of 16 registers
	}
	a.rowBlocks(fn, i, rows, rowVectors, block)
	VZEROUPPER()
	RET()
}

// widen and narrow convert between float32 and float64 (VCVTPS2PD and
// VCVTPD2PS), half a float32 vector at a time: the preconditioner works on X
// in float64 and rounds X·Z back to float32.
func widen(a *isa) {
	fn := a.kernel("Widen", "func(dst []float64, src []float32)", "for i := range dst { dst[i] = float64(src[i]) }")
	convert(a, fn, func(i GPVirtual, dst, src Register, dl, j int) {
		v := a.vec()
		VCVTPS2PD(Mem{Base: src, Index: i, Scale: 4, Disp: 4 * dl * j}, v)
		VMOVUPD(v, Mem{Base: dst, Index: i, Scale: 8, Disp: 8 * dl * j})
	}, func(i GPVirtual, dst, src Register) {
		v := XMM()
		VCVTSS2SD(Mem{Base: src, Index: i, Scale: 4}, v, v)
		VMOVSD(v, Mem{Base: dst, Index: i, Scale: 8})
	})
}

func narrow(a *isa) {
	fn := a.kernel("Narrow", "func(dst []float32, src []float64)", "for i := range dst { dst[i] = float32(src[i]) }")
	convert(a, fn, func(i GPVirtual, dst, src Register, dl, j int) {
		v := a.vec()
		VMOVUPD(Mem{Base: src, Index: i, Scale: 8, Disp: 8 * dl * j}, v)
		h := YMM()
		if a == avx512 {
			VCVTPD2PS(v, h)
			VMOVUPS(h, Mem{Base: dst, Index: i, Scale: 4, Disp: 4 * dl * j})
		} else {
			VCVTPD2PSY(v, h.AsX())
			VMOVUPS(h.AsX(), Mem{Base: dst, Index: i, Scale: 4, Disp: 4 * dl * j})
		}
	}, func(i GPVirtual, dst, src Register) {
		v := XMM()
		VCVTSD2SS(Mem{Base: src, Index: i, Scale: 8}, v, v)
		VMOVSS(v, Mem{Base: dst, Index: i, Scale: 4})
	})
}

// convert emits the loop of widen and narrow over len(dst) elements: blocks
// of mapUnroll float64 vectors, single vectors, then one element at a time.
func convert(a *isa, fn string, vector func(i GPVirtual, dst, src Register, dl, j int), scalar func(i GPVirtual, dst, src Register)) {
	dst, src, n := base("dst"), base("src"), length("dst")
	dl := a.lanes / 2
	i := GP64()
	XORQ(i, i)
	body := func(count int) func() {
		return func() {
			for j := 0; j < count; j++ {
				vector(i, dst, src, dl, j)
			}
		}
	}
	countedLoop(fn+"_block", i, n, mapUnroll*dl, body(mapUnroll))
	countedLoop(fn+"_single", i, n, dl, body(1))
	countedLoop(fn+"_tail", i, n, 1, func() { scalar(i, dst, src) })
	VZEROUPPER()
	RET()
}

// secularTerms sums the terms of the secular equation of divide and conquer
// (linalg/eigen_dc.go) and of its derivative: one division per term, eight
// (AVX-512) or four (AVX2) to an instruction, which is what bounds the root
// finder.
func secularTerms(a *isa) {
	fn := a.kernel("SecularTerms", "func(delta, z []float64, tau float64) (s, ds float64)",
		"for j := range delta {",
		"\tt := z[j] / (delta[j] - tau)",
		"\ts += z[j] * t",
		"\tds += t * t",
		"}")
	dp, zp, n := base("delta"), base("z"), length("delta")
	tau := a.vec()
	VBROADCASTSD(paramAddr("tau"), tau)
	dl := a.lanes / 2
	const unroll = 2
	accS, accD := a.zeros(unroll), a.zeros(unroll)
	i := GP64()
	XORQ(i, i)
	addr := func(b Register, j int) Mem { return Mem{Base: b, Index: i, Scale: 8, Disp: 8 * dl * j} }
	body := func(count int, m pd) {
		for j := 0; j < count; j++ {
			d, z, t := a.vec(), a.vec(), a.vec()
			m.load(addr(dp, j), d)
			m.load(addr(zp, j), z)
			VSUBPD(tau, d, d)
			d = m.onesPastEnd(d) // 0/−tau there, but 0/0 for tau = 0
			VDIVPD(d, z, t)
			VFMADD231PD(t, z, accS[j])
			VFMADD231PD(t, t, accD[j])
		}
	}
	a.rowBlocks(fn, i, n, unroll, func(_ string, count int, m pd) { body(count, m) })
	Store(a.pdHorizontalSum(accS), ReturnIndex(0))
	Store(a.pdHorizontalSum(accD), ReturnIndex(1))
	VZEROUPPER()
	RET()
}

// scaleQuotients64 multiplies w by quotients, for the Gu–Eisenstat products of
// divide and conquer, whose divisions a scalar loop issues one at a time.
// Lanes past the end divide masked zeros (0/(0 − c)) and are not stored.
func scaleQuotients64(a *isa) {
	fn := a.kernel("ScaleQuotients64", "func(w, num, den []float64, c float64)",
		"for i := range w { w[i] *= num[i] / (den[i] - c) }")
	w, num, den, n := base("w"), base("num"), base("den"), length("w")
	dl := a.lanes / 2
	c := a.vec()
	VBROADCASTSD(paramAddr("c"), c)
	i := GP64()
	XORQ(i, i)
	addr := func(b Register, j int) Mem { return Mem{Base: b, Index: i, Scale: 8, Disp: 8 * dl * j} }
	body := func(count int, m pd) {
		for j := 0; j < count; j++ {
			vn, vd, vw := a.vec(), a.vec(), a.vec()
			m.load(addr(num, j), vn)
			m.load(addr(den, j), vd)
			m.load(addr(w, j), vw)
			VSUBPD(c, vd, vd)
			VDIVPD(vd, vn, vn)
			VMULPD(vn, vw, vw)
			m.store(vw, addr(w, j))
		}
	}
	a.rowBlocks(fn, i, n, mapUnroll, func(_ string, count int, m pd) { body(count, m) })
	VZEROUPPER()
	RET()
}

// quotients64 forms the quotients of divide and conquer's eigenvectors and
// their squared norm in one pass. q may be den itself.
func quotients64(a *isa) {
	fn := a.kernel("Quotients64", "func(q, num, den []float64) (ss float64)",
		"for i := range q {",
		"	q[i] = num[i] / den[i]",
		"	ss += q[i] * q[i]",
		"}")
	q, num, den, n := base("q"), base("num"), base("den"), length("q")
	dl := a.lanes / 2
	const unroll = 2
	acc := a.zeros(unroll)
	i := GP64()
	XORQ(i, i)
	addr := func(b Register, j int) Mem { return Mem{Base: b, Index: i, Scale: 8, Disp: 8 * dl * j} }
	body := func(count int, m pd) {
		for j := 0; j < count; j++ {
			vn, vd := a.vec(), a.vec()
			m.load(addr(num, j), vn)
			m.load(addr(den, j), vd)
			vd = m.onesPastEnd(vd) // else 0/0 in the sum
			VDIVPD(vd, vn, vn)
			VFMADD231PD(vn, vn, acc[j])
			m.store(vn, addr(q, j))
		}
	}
	a.rowBlocks(fn, i, n, unroll, func(_ string, count int, m pd) { body(count, m) })
	Store(a.pdHorizontalSum(acc), ReturnIndex(0))
	VZEROUPPER()
	RET()
}
