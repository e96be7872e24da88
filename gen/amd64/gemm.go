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
// (folded into Ã), beta (applied to C beforehand) and partial tiles (a scratch tile).
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
	sgemmPack8(packPermutes())
	sgemmPackB(gemmShapes[avx512])
}

func sgemmKernel(a *isa, sh gemmShape) {
	vecs := sh.nr / a.lanes
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
	k := Load(Param("k"), GP64())
	ap := Load(Param("a").Base(), GP64())
	bp := Load(Param("b").Base(), GP64())
	cp := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)

	// The tile of C is read only after the k loop: fetch its lines now so that the
	// loads at the end do not wait on memory.
	row := GP64()
	MOVQ(cp, row)
	for i := 0; i < sh.mr; i++ {
		for off := 0; off < 4*sh.nr; off += 64 {
			PREFETCHT0(Mem{Base: row, Disp: off})
		}
		if i < sh.mr-1 {
			ADDQ(ldc, row)
		}
	}

	acc := make([][]VecVirtual, sh.mr)
	for i := range acc {
		acc[i] = a.zeros(vecs)
	}

	// The k loop, unrolled kUnroll times, then one step at a time for the rest.
	step := func(p int) {
		bv := make([]VecVirtual, vecs)
		for j := range bv {
			bv[j] = a.vec()
			VMOVUPS(Mem{Base: bp, Disp: (p*sh.nr + j*a.lanes) * 4}, bv[j])
		}
		for i := 0; i < sh.mr; i++ {
			av := a.vec()
			VBROADCASTSS(Mem{Base: ap, Disp: (p*sh.mr + i) * 4}, av)
			for j := 0; j < vecs; j++ {
				VFMADD231PS(av, bv[j], acc[i][j])
			}
		}
	}
	// Unrolling by two measured 2.5 % faster at 1024³ than none (benchstat, n=6);
	// by four, no faster than two.
	const kUnroll = 2
	Label("unrolled")
	CMPQ(k, U32(kUnroll))
	JB(LabelRef("single"))
	for p := 0; p < kUnroll; p++ {
		step(p)
	}
	ADDQ(U32(4*sh.mr*kUnroll), ap)
	ADDQ(U32(4*sh.nr*kUnroll), bp)
	SUBQ(U32(kUnroll), k)
	JMP(LabelRef("unrolled"))

	Label("single")
	TESTQ(k, k)
	JZ(LabelRef("update"))
	step(0)
	ADDQ(U32(4*sh.mr), ap)
	ADDQ(U32(4*sh.nr), bp)
	DECQ(k)
	JMP(LabelRef("single"))

	// C = beta·C + AB. With beta = ±0, C is not read: BLAS says it is overwritten,
	// NaNs included. beta's bits shifted left by one are zero exactly then.
	Label("update")
	betaBits := GP32()
	MOVL(paramAddr("beta"), betaBits)
	SHLL(U8(1), betaBits)
	JZ(LabelRef("overwrite"))
	beta := a.broadcast("beta")
	rowsOf(a, sh, cp, ldc, func(i, j int, addr Mem) {
		VFMADD231PS(addr, beta, acc[i][j])
		VMOVUPS(acc[i][j], addr)
	})
	JMP(LabelRef("done"))
	Label("overwrite")
	rowsOf(a, sh, cp, ldc, func(i, j int, addr Mem) {
		VMOVUPS(acc[i][j], addr)
	})
	Label("done")
	VZEROUPPER()
	RET()
}

// rowsOf calls f with the address of every vector j of every row i of the C tile
// at c, advancing c row by row.
func rowsOf(a *isa, sh gemmShape, c, ldcBytes Register, f func(i, j int, addr Mem)) {
	for i := 0; i < sh.mr; i++ {
		for j := 0; j < sh.nr/a.lanes; j++ {
			f(i, j, Mem{Base: c, Disp: j * a.bytes()})
		}
		if i < sh.mr-1 {
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
