package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The float64 kernels of the symmetric eigensolver that preconditions the SVD
// (linalg/eigen_sym.go, linalg/svd_eigen.go): a dot product, an axpy and a
// matrix-vector product y += X·a on column-major X, whose columns are the
// contiguous ones. Fewer than a vector of elements at the end are done one by
// one with scalar instructions, as in rotate64Loop.

func eigenKernels() {
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
	s := a.pdHorizontalSum(acc)
	countedLoop(fn+"_tail", i, n, 1, func() {
		v := XMM()
		VMOVSD(Mem{Base: x, Index: i, Scale: 8}, v)
		VFMADD231SD(Mem{Base: y, Index: i, Scale: 8}, v, s)
	})
	Store(s, ReturnIndex(0))
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
	countedLoop(fn+"_tail", i, n, 1, func() {
		v := XMM()
		VMOVSD(Mem{Base: y, Index: i, Scale: 8}, v)
		VFMADD231SD(Mem{Base: x, Index: i, Scale: 8}, alpha.AsX(), v)
		VMOVSD(v, Mem{Base: y, Index: i, Scale: 8})
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
	// accumulators (scalar ones when count is 0: one row).
	block := func(label string, count int) func() {
		return func() {
			xp, k := GP64(), GP64()
			LEAQ(Mem{Base: x, Index: i, Scale: 8}, xp)
			MOVQ(cols, k)
			ya := func(j int) Mem { return Mem{Base: y, Index: i, Scale: 8, Disp: 8 * dl * j} }
			var acc []VecVirtual
			if count == 0 {
				acc = []VecVirtual{XMM()}
				VMOVSD(ya(0), acc[0])
			} else {
				acc = make([]VecVirtual, count)
				for j := range acc {
					acc[j] = a.vec()
					VMOVUPD(ya(j), acc[j])
				}
			}
			ap := GP64()
			MOVQ(al, ap)
			Label(label + "_k")
			TESTQ(k, k)
			JZ(LabelRef(label + "_store"))
			if count == 0 {
				s := XMM()
				VMOVSD(Mem{Base: ap}, s)
				VFMADD231SD(Mem{Base: xp}, s, acc[0])
			} else {
				b := a.vec()
				VBROADCASTSD(Mem{Base: ap}, b)
				for j := range acc {
					VFMADD231PD(Mem{Base: xp, Disp: 8 * dl * j}, b, acc[j])
				}
			}
			ADDQ(U8(8), ap)
			ADDQ(ld, xp)
			DECQ(k)
			JMP(LabelRef(label + "_k"))
			Label(label + "_store")
			if count == 0 {
				VMOVSD(acc[0], ya(0))
			} else {
				for j := range acc {
					VMOVUPD(acc[j], ya(j))
				}
			}
		}
	}
	countedLoop(fn+"_block", i, rows, reduceUnroll*dl, block(fn+"_block", reduceUnroll))
	countedLoop(fn+"_single", i, rows, dl, block(fn+"_single", 1))
	countedLoop(fn+"_tail", i, rows, 1, block(fn+"_tail", 0))
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
			sums := make([]Register, count)
			for j := range acc {
				sums[j] = a.pdHorizontalSum(acc[j : j+1])
			}
			countedLoop(label+"_tail", i, n, 1, func() {
				v := XMM()
				VMOVSD(Mem{Base: al, Index: i, Scale: 8}, v)
				for j := range sums {
					VFMADD231SD(Mem{Base: ptr[j], Index: i, Scale: 8}, v, sums[j])
				}
			})
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
		countedLoop(fn+"_tail", i, n, 1, func() {
			v := XMM()
			VMOVSD(Mem{Base: cp, Index: i, Scale: 8}, v)
			VFMADD231SD(Mem{Base: x, Index: i, Scale: 8}, va.AsX(), v)
			VFMADD231SD(Mem{Base: y, Index: i, Scale: 8}, vb.AsX(), v)
			VMOVSD(v, Mem{Base: cp, Index: i, Scale: 8})
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
	// block runs the rotations down count vectors of rows (one row when count
	// is 0), carrying column k+1 in registers and storing each column once.
	block := func(label string, count int) func() {
		return func() {
			p := GP64() // row i of the last column, then of column k
			MOVQ(nrot, p)
			IMULQ(ld, p)
			ADDQ(zb, p)
			LEAQ(Mem{Base: p, Index: i, Scale: 8}, p)
			lanes := max(count, 1)
			carry := make([]VecVirtual, lanes)
			vec := a.vec
			load, store := func(m Mem, v VecVirtual) { VMOVUPD(m, v) }, func(v VecVirtual, m Mem) { VMOVUPD(v, m) }
			if count == 0 {
				vec = XMM
				load, store = func(m Mem, v VecVirtual) { VMOVSD(m, v) }, func(v VecVirtual, m Mem) { VMOVSD(v, m) }
			}
			for u := range carry {
				carry[u] = vec()
				load(Mem{Base: p, Disp: 8 * dl * u}, carry[u])
			}
			k := GP64()
			MOVQ(nrot, k)
			Label(label + "_rot")
			TESTQ(k, k)
			JZ(LabelRef(label + "_last"))
			DECQ(k)
			SUBQ(ld, p)
			ck, sk := vec(), vec()
			if count == 0 {
				VMOVSD(Mem{Base: cb, Index: k, Scale: 8}, ck)
				VMOVSD(Mem{Base: sb, Index: k, Scale: 8}, sk)
			} else {
				VBROADCASTSD(Mem{Base: cb, Index: k, Scale: 8}, ck)
				VBROADCASTSD(Mem{Base: sb, Index: k, Scale: 8}, sk)
			}
			for u := range carry {
				x, ny, nc := vec(), vec(), vec()
				load(Mem{Base: p, Disp: 8 * dl * u}, x)
				if count == 0 {
					VMULSD(carry[u], ck, ny)
					VFMADD231SD(x, sk, ny) // column k+1: s·x + c·y
					VMULSD(carry[u], sk, nc)
					VFMSUB231SD(x, ck, nc) // column k: c·x − s·y
				} else {
					VMULPD(carry[u], ck, ny)
					VFMADD231PD(x, sk, ny)
					VMULPD(carry[u], sk, nc)
					VFMSUB231PD(x, ck, nc)
				}
				store(ny, Mem{Base: p, Index: ld, Scale: 1, Disp: 8 * dl * u})
				VMOVAPD(nc, carry[u])
			}
			JMP(LabelRef(label + "_rot"))
			Label(label + "_last")
			for u := range carry {
				store(carry[u], Mem{Base: p, Disp: 8 * dl * u})
			}
		}
	}
	countedLoop(fn+"_block", i, rows, rotateSeq64Unroll*dl, block(fn+"_block", rotateSeq64Unroll))
	countedLoop(fn+"_single", i, rows, dl, block(fn+"_single", 1))
	countedLoop(fn+"_tail", i, rows, 1, block(fn+"_tail", 0))
	VZEROUPPER()
	RET()
}

// gemm4Cols64 is four matrix-vector products in one: each vector of A's
// column is loaded once for four FMAs, which takes the products off the
// memory bound that Gemv64 has when A does not fit in L1 (X·Z and XᵀX of the
// SVD's preconditioner). Rows go rowVectors vectors at a time (16
// accumulators on AVX-512, 8 on AVX2), then one vector, then one row.
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
	block := func(label string, count int) func() {
		return func() {
			scalar := count == 0
			nv := max(count, 1)
			vec := a.vec
			if scalar {
				vec = XMM
			}
			load := func(m Mem, v VecVirtual) {
				if scalar {
					VMOVSD(m, v)
				} else {
					VMOVUPD(m, v)
				}
			}
			// Rows i… of C's four columns, as accumulators.
			cp := GP64()
			LEAQ(Mem{Base: cb, Index: i, Scale: 8}, cp)
			acc := make([][4]VecVirtual, nv)
			for u := range acc {
				for j := range 4 {
					acc[u][j] = vec()
					load(col(cp, ldc, ldc3, j, Mem{Disp: 8 * dl * u}), acc[u][j])
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
				bv[j] = vec()
				if scalar {
					VMOVSD(col(bp, ldb, ldb3, j, Mem{}), bv[j])
				} else {
					VBROADCASTSD(col(bp, ldb, ldb3, j, Mem{}), bv[j])
				}
			}
			for u := range acc {
				x := vec()
				load(Mem{Base: ap, Disp: 8 * dl * u}, x)
				for j := range 4 {
					if scalar {
						VFMADD231SD(x, bv[j], acc[u][j])
					} else {
						VFMADD231PD(x, bv[j], acc[u][j])
					}
				}
			}
			ADDQ(lda, ap)
			ADDQ(U8(8), bp)
			DECQ(p)
			JMP(LabelRef(label + "_k"))
			Label(label + "_store")
			for u := range acc {
				for j := range 4 {
					m := col(cp, ldc, ldc3, j, Mem{Disp: 8 * dl * u})
					if scalar {
						VMOVSD(acc[u][j], m)
					} else {
						VMOVUPD(acc[u][j], m)
					}
				}
			}
		}
	}
	rowVectors := 4
	if a == avx2 {
		rowVectors = 2 // 8 accumulators and 4 broadcasts of 16 registers
	}
	countedLoop(fn+"_block", i, rows, rowVectors*dl, block(fn+"_block", rowVectors))
	countedLoop(fn+"_single", i, rows, dl, block(fn+"_single", 1))
	countedLoop(fn+"_tail", i, rows, 1, block(fn+"_tail", 0))
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
