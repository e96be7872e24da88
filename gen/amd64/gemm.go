package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The SGEMM micro-kernels (BLIS's contract): C[MR×NR] += Ã·B̃ over k, where Ã is a
// packed micro-panel of A (k steps of MR values: column p of the tile's rows) and B̃
// a packed micro-panel of B (k steps of NR values: row p of the tile's columns).
// The tile of C lives in row-major memory with stride ldc; the driver handles alpha
// (folded into Ã), beta (applied to C beforehand) and partial tiles (the edge
// kernels below where a variant has them, else a scratch tile).
//
// C's rows are contiguous, so vectors run along NR and each step broadcasts MR
// values of Ã against NR/lanes vectors of B̃: MR·NR/lanes accumulators must hide
// the FMA latency (4 cycles at 2 FMAs a cycle: at least 8) and leave registers for
// B̃ and the broadcasts.
//
//   - AVX-512, 32 zmm: 8×48 (24 accumulators, 3 for B̃, 1 for broadcasts). 12×32,
//     the shape of BLIS's skx kernel, runs as fast in L1, but the channel counts
//     of the papers' convolutions (the m of their GEMMs: 32, 64, 128, 256) are
//     multiples of 8 and not of 12, and partial tiles cost: 8×48 measured 1.3–2×
//     faster on those shapes and the same on squares.
//   - AVX2, 16 ymm: 6×16 (12 accumulators, 2 for B̃, 2 for broadcasts), BLIS haswell.
type gemmShape struct{ mr, nr int }

var gemmShapes = map[*isa]gemmShape{avx512: {8, 48}, avx2: {6, 16}}

func gemmKernels() {
	constants()
	for _, a := range isas {
		sgemmKernel(a, gemmShapes[a])
		fmaPeak(a)
	}
	sgemmEdgeKernel(avx512, gemmShapes[avx512])
	for _, a := range isas {
		sgemmColumnKernel(a, gemmShapes[a])
		sgemmRowKernel(a, gemmShapes[a])
	}
	// AVX-512 has no partial-row kernel: at its MR = 8 the channel counts (multiples
	// of 8) leave no partial row, only other row counts do (a ConvT's Out·KH·KW = 9),
	// and no machine at hand runs AVX-512 to test or time one.
	sgemmRowsKernel(avx2, gemmShapes[avx2])
	sgemmPack8(packPermutes())
	sgemmPackB(avx512, gemmShapes[avx512])
	sgemmPackAVX2(8)
	sgemmPackAVX2(6)
	sgemmPackB(avx2, gemmShapes[avx2])
	sgemmPackATPanels(avx2, gemmShapes[avx2].mr)
}

func sgemmKernel(a *isa, sh gemmShape) {
	fn := "SgemmKernel" + a.suffix
	TEXT(fn, NOSPLIT, "func(k int, a, b, c []float32, ldc int, beta float32)")
	Doc(fn+fmt.Sprintf(" is the %d×%d micro-kernel: with MR = %d and NR = %d,", sh.mr, sh.nr, sh.mr, sh.nr),
		"",
		"\tfor p := 0; p < k; p++ {",
		"\t\tfor i := 0; i < MR; i++ {",
		"\t\t\tfor j := 0; j < NR; j++ {",
		"\t\t\t\tab[i][j] += a[p*MR+i] * b[p*NR+j]",
		"\t\t\t}",
		"\t\t}",
		"\t}",
		"\tc[i*ldc+j] = beta*c[i*ldc+j] + ab[i][j] // for i < MR, j < NR; C is not read when beta = 0")
	Pragma("noescape")
	t := loadTileArgs()
	tile(a, sh, sh.mr, t, sh.nr/a.lanes, nil, "")
	VZEROUPPER()
	RET()
}

// sgemmColumnKernel emits the micro-kernel run down a column of tiles: the same
// B̃ against `tiles` consecutive panels of Ã, into tiles stacked MR rows apart in C,
// so that the driver calls assembly once per column rather than once per tile
// (the call and its checks cost as much as a tile when k is small).
func sgemmColumnKernel(a *isa, sh gemmShape) {
	fn := "SgemmKernelColumn" + a.suffix
	TEXT(fn, NOSPLIT, "func(k int, a, b, c []float32, ldc int, beta float32, tiles int)")
	Doc(fn+" runs "+"SgemmKernel"+a.suffix+" on tiles panels of a down one column of C:",
		"",
		"\tfor t := 0; t < tiles; t++ {",
		"\t\t"+"SgemmKernel"+a.suffix+"(k, a[t*k*MR:], b, c[t*MR*ldc:], ldc, beta)",
		"\t}")
	Pragma("noescape")
	t := loadTileArgs()
	tiles := Load(Param("tiles"), GP64())
	k0, b0, cNext := GP64(), GP64(), GP64()
	MOVQ(t.k, k0)
	MOVQ(t.b, b0)
	TESTQ(tiles, tiles)
	JZ(LabelRef("done"))
	Label("tile")
	MOVQ(t.c, cNext)
	for i := 0; i < sh.mr; i++ {
		ADDQ(t.ldcBytes, cNext)
	}
	tile(a, sh, sh.mr, t, sh.nr/a.lanes, nil, "tile_")
	MOVQ(k0, t.k)
	MOVQ(b0, t.b)
	MOVQ(cNext, t.c)
	DECQ(tiles)
	JNZ(LabelRef("tile"))
	Label("done")
	VZEROUPPER()
	RET()
}

// sgemmRowKernel emits the micro-kernel run along a row of tiles, reading B in
// place: the same panel of Ã against `tiles` consecutive NR-column blocks of an
// unpacked B (rows ldb apart), into tiles side by side in C. For small k, where
// writing C costs more than the FMAs, this is the better order: the tile's MR rows
// of C are written as MR sequential streams (a column of tiles writes MR·tiles rows
// a little at a time, and with a power-of-two ldc they all fall in one cache set),
// Ã stays in L1, and B needs no packing.
func sgemmRowKernel(a *isa, sh gemmShape) {
	fn := "SgemmKernelRow" + a.suffix
	TEXT(fn, NOSPLIT, "func(k int, a, b []float32, ldb int, c []float32, ldc int, beta float32, tiles int)")
	Doc(fn+" runs "+"SgemmKernel"+a.suffix+" along one row of C, on B in place:",
		"",
		"\tfor t := 0; t < tiles; t++ {",
		"\t\t// b̃[p*NR+j] = b[p*ldb+t*NR+j] for p < k, j < NR",
		"\t\t"+"SgemmKernel"+a.suffix+"(k, a, b̃, c[t*NR:], ldc, beta)",
		"\t}")
	Pragma("noescape")
	t := loadTileArgs()
	t.ldbBytes = Load(Param("ldb"), GP64())
	SHLQ(U8(2), t.ldbBytes)
	tiles := Load(Param("tiles"), GP64())
	k0, a0, b0, c0 := GP64(), GP64(), GP64(), GP64()
	MOVQ(t.k, k0)
	MOVQ(t.a, a0)
	MOVQ(t.b, b0)
	MOVQ(t.c, c0)
	TESTQ(tiles, tiles)
	JZ(LabelRef("done"))
	Label("tile")
	tile(a, sh, sh.mr, t, sh.nr/a.lanes, nil, "tile_")
	ADDQ(U32(4*sh.nr), b0)
	ADDQ(U32(4*sh.nr), c0)
	MOVQ(k0, t.k)
	MOVQ(a0, t.a)
	MOVQ(b0, t.b)
	MOVQ(c0, t.c)
	DECQ(tiles)
	JNZ(LabelRef("tile"))
	Label("done")
	VZEROUPPER()
	RET()
}

// sgemmEdgeKernel emits the micro-kernel for the last, partial column of tiles:
// the same product, for the first nr ≤ NR columns only, so that a partial tile
// needs neither a scratch tile nor the work of the columns it lacks. It computes
// ⌈nr/lanes⌉ vectors per row and masks the last one's loads and stores.
func sgemmEdgeKernel(a *isa, sh gemmShape) {
	fn := "SgemmKernelEdge" + a.suffix
	TEXT(fn, NOSPLIT, "func(k int, a, b, c []float32, ldc int, beta float32, nr int)")
	Doc(fn+fmt.Sprintf(" is %s for the first nr columns of the tile, 0 < nr ≤ %d:", "SgemmKernel"+a.suffix, sh.nr),
		"it writes c[i*ldc+j] for i < MR and j < nr only, and reads no more of c.")
	Pragma("noescape")
	t := loadTileArgs()
	nr := Load(Param("nr"), GP64())
	for vecs := 1; vecs <= sh.nr/a.lanes; vecs++ {
		prefix := fmt.Sprintf("cols%d_", vecs)
		Label(prefix + "start")
		if vecs < sh.nr/a.lanes {
			CMPQ(nr, U32(vecs*a.lanes))
			JA(LabelRef(fmt.Sprintf("cols%d_start", vecs+1)))
		}
		last := GP64()
		MOVQ(nr, last)
		SUBQ(U32((vecs-1)*a.lanes), last)
		ones, bits := GP32(), GP32()
		MOVL(U32(0xffffffff), ones)
		BZHIL(last.As32(), ones, bits)
		mask := K()
		KMOVW(bits, mask)
		tile(a, sh, sh.mr, t, vecs, mask, prefix)
		JMP(LabelRef("done"))
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// sgemmRowsKernel emits the micro-kernel for the last, partial row of tiles: the
// same product for the first mr < MR rows only, so that a partial tile needs
// neither a scratch tile nor the FMAs of the rows it lacks. The convolutions'
// channel counts (multiples of 8) leave 2 or 4 rows over at MR = 6.
func sgemmRowsKernel(a *isa, sh gemmShape) {
	fn := "SgemmKernelRows" + a.suffix
	TEXT(fn, NOSPLIT, "func(k int, a, b, c []float32, ldc int, beta float32, mr int)")
	Doc(fn+fmt.Sprintf(" is %s for the first mr rows of the tile, 0 < mr < %d:", "SgemmKernel"+a.suffix, sh.mr),
		"it writes c[i*ldc+j] for i < mr and j < NR only, and reads no more of c;",
		"a still holds k steps of MR values.")
	Pragma("noescape")
	t := loadTileArgs()
	mr := Load(Param("mr"), GP64())
	for rows := 1; rows < sh.mr; rows++ {
		prefix := fmt.Sprintf("rows%d_", rows)
		CMPQ(mr, U32(rows))
		JNE(LabelRef(prefix + "skip"))
		tile(a, sh, rows, t, sh.nr/a.lanes, nil, prefix)
		JMP(LabelRef("done"))
		Label(prefix + "skip")
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// tileArgs are the registers holding a micro-kernel's arguments.
type tileArgs struct {
	k, a, b, c, ldcBytes Register
	// ldbBytes, when not nil, is the stride of B's rows in bytes: B is read in
	// place, row p of the tile's columns at b + p·ldb, rather than packed NR apart.
	ldbBytes Register
}

func loadTileArgs() tileArgs {
	t := tileArgs{
		k:        Load(Param("k"), GP64()),
		a:        Load(Param("a").Base(), GP64()),
		b:        Load(Param("b").Base(), GP64()),
		c:        Load(Param("c").Base(), GP64()),
		ldcBytes: Load(Param("ldc"), GP64()),
	}
	SHLQ(U8(2), t.ldcBytes)
	return t
}

// tile emits C = beta·C + ÃB̃ on vecs vectors of each of the first rows ≤ MR
// rows; Ã's steps are MR floats apart and B̃'s rows NR floats apart whatever rows
// and vecs are. With a mask, the last vector of each row of C is loaded and stored
// through it. Labels start with prefix.
func tile(a *isa, sh gemmShape, rows int, t tileArgs, vecs int, mask Op, prefix string) {
	// The tile of C is read only after the k loop: fetch its lines now so that the
	// loads at the end do not wait on memory.
	row := GP64()
	MOVQ(t.c, row)
	for i := 0; i < rows; i++ {
		for off := 0; off < vecs*a.bytes(); off += 64 {
			PREFETCHT0(Mem{Base: row, Disp: off})
		}
		if i < rows-1 {
			ADDQ(t.ldcBytes, row)
		}
	}

	// Fewer than eight accumulators would leave the loop bound by the FMAs'
	// latency (4 cycles at 2 a cycle): the odd steps then go to a second set,
	// added to the first after the loop.
	sets := 1
	if rows*vecs < 8 {
		sets = 2
	}
	accs := make([][][]VecVirtual, sets)
	for s := range accs {
		accs[s] = make([][]VecVirtual, rows)
		for i := range accs[s] {
			accs[s][i] = a.zeros(vecs)
		}
	}
	acc := accs[0]

	// The k loop, unrolled kUnroll times, then one step at a time for the rest.
	bRow := func(p, j int) Mem {
		if t.ldbBytes == nil {
			return Mem{Base: t.b, Disp: (p*sh.nr + j*a.lanes) * 4}
		}
		// Row p < kUnroll of the pass: b, or b + ldb for p = 1.
		m := Mem{Base: t.b, Disp: j * a.bytes()}
		if p == 1 {
			m.Index, m.Scale = t.ldbBytes, 1
		} else if p > 1 {
			panic("tile: unpacked B unrolled beyond two rows")
		}
		return m
	}
	nextRows := func(rows int) {
		if t.ldbBytes == nil {
			ADDQ(U32(4*sh.nr*rows), t.b)
			return
		}
		for r := 0; r < rows; r++ {
			ADDQ(t.ldbBytes, t.b)
		}
	}
	step := func(p int) {
		bv := make([]VecVirtual, vecs)
		for j := range bv {
			bv[j] = a.vec()
			VMOVUPS(bRow(p, j), bv[j])
		}
		for i := 0; i < rows; i++ {
			av := a.vec()
			VBROADCASTSS(Mem{Base: t.a, Disp: (p*sh.mr + i) * 4}, av)
			for j := 0; j < vecs; j++ {
				VFMADD231PS(av, bv[j], accs[p%sets][i][j])
			}
		}
	}
	// Unrolling by two measured 2.5 % faster at 1024³ than none (benchstat, n=6);
	// by four, no faster than two.
	const kUnroll = 2
	Label(prefix + "unrolled")
	CMPQ(t.k, U32(kUnroll))
	JB(LabelRef(prefix + "single"))
	for p := 0; p < kUnroll; p++ {
		step(p)
	}
	ADDQ(U32(4*sh.mr*kUnroll), t.a)
	nextRows(kUnroll)
	SUBQ(U32(kUnroll), t.k)
	JMP(LabelRef(prefix + "unrolled"))

	Label(prefix + "single")
	TESTQ(t.k, t.k)
	JZ(LabelRef(prefix + "update"))
	step(0)
	ADDQ(U32(4*sh.mr), t.a)
	nextRows(1)
	DECQ(t.k)
	JMP(LabelRef(prefix + "single"))

	// C = beta·C + AB. With beta = ±0, C is not read: BLAS says it is overwritten,
	// NaNs included. beta's bits shifted left by one are zero exactly then.
	Label(prefix + "update")
	if sets == 2 {
		for i := range acc {
			for j := range acc[i] {
				VADDPS(accs[1][i][j], acc[i][j], acc[i][j])
			}
		}
	}
	betaBits := GP32()
	MOVL(paramAddr("beta"), betaBits)
	SHLL(U8(1), betaBits)
	JZ(LabelRef(prefix + "overwrite"))
	beta := a.broadcast("beta")
	masked := func(j int) bool { return mask != nil && j == vecs-1 }
	rowsOf(a, rows, vecs, t.c, t.ldcBytes, func(i, j int, addr Mem) {
		if masked(j) {
			old := a.vec()
			VMOVUPS_Z(addr, mask, old)
			VFMADD231PS(old, beta, acc[i][j])
			VMOVUPS(acc[i][j], mask, addr)
			return
		}
		VFMADD231PS(addr, beta, acc[i][j])
		VMOVUPS(acc[i][j], addr)
	})
	JMP(LabelRef(prefix + "done"))
	Label(prefix + "overwrite")
	rowsOf(a, rows, vecs, t.c, t.ldcBytes, func(i, j int, addr Mem) {
		if masked(j) {
			VMOVUPS(acc[i][j], mask, addr)
			return
		}
		VMOVUPS(acc[i][j], addr)
	})
	Label(prefix + "done")
}

// rowsOf calls f with the address of every vector j < vecs of every row i < rows
// of the C tile at c, advancing c row by row.
func rowsOf(a *isa, rows, vecs int, c, ldcBytes Register, f func(i, j int, addr Mem)) {
	for i := 0; i < rows; i++ {
		for j := 0; j < vecs; j++ {
			f(i, j, Mem{Base: c, Disp: j * a.bytes()})
		}
		if i < rows-1 {
			ADDQ(ldcBytes, c)
		}
	}
}

// fmaPeak emits a loop of independent FMAs that measures the core's FMA throughput:
// the ceiling the GEMM benchmarks report their share of.
func fmaPeak(a *isa) {
	// Twelve chains keep more than the 8 FMAs in flight that 4 cycles of latency at
	// 2 a cycle need. The chains start equal but the loop cannot be folded, unlike a
	// C compiler's version of the same loop, which may merge equal chains into one.
	const chains = 12
	fn := "FMAPeak" + a.suffix
	TEXT(fn, NOSPLIT, "func(iterations int)")
	Doc(fn+fmt.Sprintf(" runs iterations × %d independent %d-lane FMAs, acc = acc*1 + 1,", chains, a.lanes),
		"(each iteration is "+fmt.Sprint(2*chains*a.lanes)+" floating-point operations).")
	n := Load(Param("iterations"), GP64())
	acc := a.zeros(chains)
	xy := []VecVirtual{a.broadcastConst(one), a.broadcastConst(one)}
	TESTQ(n, n)
	JZ(LabelRef("done"))
	Label("loop")
	for _, r := range acc {
		VFMADD213PS(xy[0], xy[1], r)
	}
	DECQ(n)
	JNZ(LabelRef("loop"))
	Label("done")
	VZEROUPPER()
	RET()
}
