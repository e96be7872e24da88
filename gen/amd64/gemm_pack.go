package main

import (
	"fmt"
	"strconv"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// sgemmPack8 emits the AVX-512 transposition of eight rows of a row-major matrix
// that packing needs: A's rows into the micro-kernel's MR-interleaved layout, and
// a transposed B's rows into its NR-interleaved one. 16 columns at a time, it loads
// the eight rows, scales them by alpha and transposes the 8×16 block in registers
// (unpack, shuffle within 128-bit lanes, then a two-table permute across lanes),
// storing each column of eight at its place in dst. The last kc%16 columns go one
// at a time.
func sgemmPack8(perm [2]Mem) {
	const rows = 8
	TEXT("SgemmPack8AVX512", NOSPLIT, "func(kc int, a []float32, lda int, alpha float32, dst []float32, ldd int)")
	Doc("SgemmPack8AVX512 transposes eight rows of a into dst, scaled:",
		"",
		"\tfor p := 0; p < kc; p++ {",
		"\t\tfor i := 0; i < 8; i++ {",
		"\t\t\tdst[p*ldd+i] = alpha * a[i*lda+p]",
		"\t\t}",
		"\t}")
	Pragma("noescape")
	kc := Load(Param("kc"), GP64())
	base := Load(Param("a").Base(), GP64())
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	dst := Load(Param("dst").Base(), GP64())
	ldd := Load(Param("ldd"), GP64())
	SHLQ(U8(2), ldd)
	var row [rows]GPVirtual
	for i := range row {
		row[i] = GP64()
		MOVQ(base, row[i])
		if i < rows-1 {
			ADDQ(lda, base)
		}
	}
	alpha := avx512.broadcast("alpha")
	permLo, permHi := ZMM(), ZMM()
	VMOVUPS(perm[0], permLo)
	VMOVUPS(perm[1], permHi)

	Label("block")
	CMPQ(kc, U32(16))
	JB(LabelRef("tail"))
	var r [rows]VecVirtual
	for i := range r {
		r[i] = ZMM()
		VMULPS(Mem{Base: row[i]}, alpha, r[i])
	}
	// After the unpacks, t[2h] holds (per 128-bit lane L) rows 2h, 2h+1 of columns
	// 4L, 4L+1 interleaved, and t[2h+1] those of columns 4L+2, 4L+3.
	var t [rows]VecVirtual
	for h := 0; h < rows/2; h++ {
		t[2*h], t[2*h+1] = ZMM(), ZMM()
		VUNPCKLPS(r[2*h+1], r[2*h], t[2*h])
		VUNPCKHPS(r[2*h+1], r[2*h], t[2*h+1])
	}
	// After the shuffles, u[4q+j] holds in lane L rows 4q..4q+3 of column 4L+j.
	var u [rows]VecVirtual
	for q := 0; q < 2; q++ {
		for j := 0; j < 4; j++ {
			src1, src2 := t[4*q+j/2], t[4*q+2+j/2]
			imm := U8(0x44)
			if j%2 == 1 {
				imm = U8(0xee)
			}
			u[4*q+j] = ZMM()
			VSHUFPS(imm, src2, src1, u[4*q+j])
		}
	}
	// Pairing u[j] (rows 0–3) with u[4+j] (rows 4–7) lane by lane gives whole
	// columns: permLo makes columns j and 4+j, permHi columns 8+j and 12+j.
	var column [16]Op
	for j := 0; j < 4; j++ {
		for half, idx := range []VecVirtual{permLo, permHi} {
			cols := ZMM()
			VMOVAPS(idx, cols)
			VPERMI2PS(u[4+j], u[j], cols)
			column[8*half+j] = cols.AsY()
			column[8*half+j+4] = cols
		}
	}
	for c, v := range column {
		if c%8 < 4 {
			VMOVUPS(v, Mem{Base: dst})
		} else {
			VEXTRACTF32X8(U8(1), v, Mem{Base: dst})
		}
		ADDQ(ldd, dst)
	}
	for i := range row {
		ADDQ(U8(64), row[i])
	}
	SUBQ(U8(16), kc)
	JMP(LabelRef("block"))

	Label("tail")
	TESTQ(kc, kc)
	JZ(LabelRef("done"))
	for i := range row {
		x := XMM()
		VMULSS(Mem{Base: row[i]}, alpha.AsX(), x)
		VMOVSS(x, Mem{Base: dst, Disp: 4 * i})
		ADDQ(U8(4), row[i])
	}
	ADDQ(ldd, dst)
	DECQ(kc)
	JMP(LabelRef("tail"))
	Label("done")
	VZEROUPPER()
	RET()
}

// packPermutes returns the VPERMI2PS index vectors that interleave the 128-bit
// lanes of two tables a, b as (a.L0, b.L0, a.L1, b.L1) and (a.L2, b.L2, a.L3, b.L3).
func packPermutes() [2]Mem {
	var out [2]Mem
	for h, name := range []string{"packPermLo", "packPermHi"} {
		out[h] = GLOBL(name, RODATA|NOPTR)
		for e := 0; e < 16; e++ {
			lane, within := e/4, e%4
			src := 2*h + lane/2 // the source lane of a or b
			index := 4*src + within
			if lane%2 == 1 {
				index += 16 // from b
			}
			DATA(4*e, U32(uint32(index)))
		}
	}
	return out
}

// sgemmPackB emits the packing of an untransposed B's micro-panel: kc rows of NR
// contiguous floats, at stride ldb, copied to consecutive NR-float rows. A copy,
// but one that the Go driver would otherwise make as kc small memmoves: measured
// faster than those (BenchmarkGemmPack, kc = 192, medians of 5) for both ISAs,
// 800 ns against 1209 (AVX-512, NR = 48) and 501 against 599 (AVX2, NR = 16).
func sgemmPackB(a *isa, sh gemmShape) {
	vecs := sh.nr / a.lanes
	fn := "SgemmPackB" + a.suffix
	TEXT(fn, NOSPLIT, "func(kc int, b []float32, ldb int, dst []float32)")
	Doc(fn+" copies kc rows of B's micro-panel, NR = "+strconv.Itoa(sh.nr)+" floats each:",
		"",
		"\tfor p := 0; p < kc; p++ {",
		"\t\tcopy(dst[p*NR:p*NR+NR], b[p*ldb:p*ldb+NR])",
		"\t}")
	Pragma("noescape")
	kc := Load(Param("kc"), GP64())
	src := Load(Param("b").Base(), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)
	dst := Load(Param("dst").Base(), GP64())
	TESTQ(kc, kc)
	JZ(LabelRef("done"))
	Label("row")
	for j := 0; j < vecs; j++ {
		v := a.vec()
		VMOVUPS(Mem{Base: src, Disp: a.bytes() * j}, v)
		VMOVUPS(v, Mem{Base: dst, Disp: a.bytes() * j})
	}
	ADDQ(ldb, src)
	ADDQ(U32(4*sh.nr), dst)
	DECQ(kc)
	JNZ(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

// sgemmPackAVX2 emits the AVX2 transposition of rows = 8 or 6 rows, 8 columns at a
// time: load the rows scaled by alpha, transpose the 8×8 block in registers
// (unpack, shuffle within 128-bit lanes, then swap lanes) and store each column of
// rows values at its place in dst; the last columns go one at a time.
//
// With eight rows it has SgemmPack8AVX512's contract (dst rows ldd apart: A's
// panels for ldd = 8, Bᵀ's for ldd = NR = 16, twice). With six, the AVX2 MR, it
// packs A's panel (ldd = 6): each column is stored as eight floats, the last two
// of them overwritten by the next column, so whole vectors go only while a column
// follows the block (its tail writes the rest).
//
// Kept because measured faster than the Go transposition (BenchmarkGemmPack, kc =
// 192, medians of 5): PackA (6 rows) 85 ns against 653, PackBT (16 rows, twice
// eight) 176 ns against 2404.
func sgemmPackAVX2(rows int) {
	fn := "SgemmPack" + strconv.Itoa(rows) + "AVX2"
	sig := "func(kc int, a []float32, lda int, alpha float32, dst []float32, ldd int)"
	ldd := "ldd"
	if rows == 6 {
		sig = "func(kc int, a []float32, lda int, alpha float32, dst []float32)"
		ldd = "6"
	}
	TEXT(fn, NOSPLIT, sig)
	Doc(fn+" transposes "+strconv.Itoa(rows)+" rows of a into dst, scaled:",
		"",
		"\tfor p := 0; p < kc; p++ {",
		"\t\tfor i := 0; i < "+strconv.Itoa(rows)+"; i++ {",
		"\t\t\tdst[p*"+ldd+"+i] = alpha * a[i*lda+p]",
		"\t\t}",
		"\t}")
	Pragma("noescape")
	kc := Load(Param("kc"), GP64())
	base := Load(Param("a").Base(), GP64())
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	dst := Load(Param("dst").Base(), GP64())
	var lddBytes Op = U32(4 * rows)
	if rows == 8 {
		r := Load(Param("ldd"), GP64())
		SHLQ(U8(2), r)
		lddBytes = r
	}
	row := make([]GPVirtual, rows)
	for i := range row {
		row[i] = GP64()
		MOVQ(base, row[i])
		if i < rows-1 {
			ADDQ(lda, base)
		}
	}
	alpha := avx2.broadcast("alpha")

	// Whole blocks while at least 8 columns are left (6 rows: at least 9).
	minLeft := 8
	if rows == 6 {
		minLeft = 9
	}
	Label("block")
	CMPQ(kc, U32(minLeft))
	JB(LabelRef("tail"))
	r := make([]VecVirtual, 8)
	for i := 0; i < rows; i++ {
		r[i] = YMM()
		VMULPS(Mem{Base: row[i]}, alpha, r[i])
	}
	// t[2h] holds (per 128-bit lane L) rows 2h, 2h+1 of columns 4L, 4L+1
	// interleaved, t[2h+1] those of columns 4L+2, 4L+3. Six rows reuse rows 4, 5
	// for 6, 7: lanes 6 and 7 of each column are then don't-cares.
	t := make([]VecVirtual, 8)
	for h := 0; h < rows/2; h++ {
		t[2*h], t[2*h+1] = YMM(), YMM()
		VUNPCKLPS(r[2*h+1], r[2*h], t[2*h])
		VUNPCKHPS(r[2*h+1], r[2*h], t[2*h+1])
	}
	if rows == 6 {
		t[6], t[7] = t[4], t[5]
	}
	// u[4q+j] holds in lane L rows 4q..4q+3 of column 4L+j.
	u := make([]VecVirtual, 8)
	for q := 0; q < 2; q++ {
		for j := 0; j < 4; j++ {
			imm := U8(0x44)
			if j%2 == 1 {
				imm = U8(0xee)
			}
			u[4*q+j] = YMM()
			VSHUFPS(imm, t[4*q+2+j/2], t[4*q+j/2], u[4*q+j])
		}
	}
	// Column j is the low lanes of u[j] and u[4+j], column 4+j their high lanes.
	col := make([]VecVirtual, 8)
	for j := 0; j < 4; j++ {
		col[j], col[4+j] = YMM(), YMM()
		VPERM2F128(U8(0x20), u[4+j], u[j], col[j])
		VPERM2F128(U8(0x31), u[4+j], u[j], col[4+j])
	}
	for _, v := range col {
		VMOVUPS(v, Mem{Base: dst})
		ADDQ(lddBytes, dst)
	}
	for i := range row {
		ADDQ(U8(32), row[i])
	}
	SUBQ(U8(8), kc)
	JMP(LabelRef("block"))

	Label("tail")
	TESTQ(kc, kc)
	JZ(LabelRef("done"))
	for i := range row {
		x := XMM()
		VMULSS(Mem{Base: row[i]}, alpha.AsX(), x)
		VMOVSS(x, Mem{Base: dst, Disp: 4 * i})
		ADDQ(U8(4), row[i])
	}
	ADDQ(lddBytes, dst)
	DECQ(kc)
	JMP(LabelRef("tail"))
	Label("done")
	VZEROUPPER()
	RET()
}

// sgemmPackATPanels emits PackAT for several consecutive panels of a transposed A
// at once. It walks along each row of Aᵀ, handing MR values to each panel in
// turn, where PackAT walks one panel down all k rows: the rows of Aᵀ are often a
// power of two floats apart (a convolution's weight, Out·KH·KW wide), and one
// panel's k runs of MR values then fall in a few L1 sets and are fetched again
// for each of the panels that share their cache lines. Each run of six moves as
// 16 bytes and 8 bytes, with no mask (AVX2's masked stores are slow on AMD
// cores). AVX2 only so far: it was written and measured on a Zen 3 machine,
// which cannot run an AVX-512 version; the same loop with one 32-byte move
// for MR = 8 is the AVX-512 step, to be measured against the masked copy there.
func sgemmPackATPanels(a *isa, mr int) {
	if mr != 6 {
		panic("sgemmPackATPanels: MR = 6 only")
	}
	fn := a.kernel("SgemmPackATPanels", "func(k, panels int, a []float32, lda int, dst []float32)",
		"for p := 0; p < k; p++ {",
		"\tfor q := 0; q < panels; q++ {",
		fmt.Sprintf("\t\tfor i := 0; i < %d; i++ {", mr),
		fmt.Sprintf("\t\t\tdst[q*k*%d+p*%d+i] = a[p*lda+q*%d+i]", mr, mr, mr),
		"\t\t}",
		"\t}",
		"}")
	k := Load(Param("k"), GP64())
	panels := Load(Param("panels"), GP64())
	src := Load(Param("a").Base(), GP64())
	lda := strideBytes("lda")
	dst := Load(Param("dst").Base(), GP64())
	panelBytes := GP64()
	IMUL3Q(U32(4*mr), k, panelBytes)
	TESTQ(panels, panels)
	JZ(LabelRef(fn + "_end"))
	Label(fn + "_rows")
	TESTQ(k, k)
	JZ(LabelRef(fn + "_end"))
	s, d, n := GP64(), GP64(), GP64()
	MOVQ(src, s)
	MOVQ(dst, d)
	MOVQ(panels, n)
	Label(fn + "_panels")
	x, t := XMM(), GP64()
	VMOVUPS(Mem{Base: s}, x)
	VMOVUPS(x, Mem{Base: d})
	MOVQ(Mem{Base: s, Disp: 16}, t)
	MOVQ(t, Mem{Base: d, Disp: 16})
	ADDQ(U32(4*mr), s)
	ADDQ(panelBytes, d)
	DECQ(n)
	JNZ(LabelRef(fn + "_panels"))
	ADDQ(lda, src)
	ADDQ(U32(4*mr), dst)
	DECQ(k)
	JMP(LabelRef(fn + "_rows"))
	Label(fn + "_end")
	VZEROUPPER()
	RET()
}
