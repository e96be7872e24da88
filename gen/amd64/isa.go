package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// An isa is one target instruction set: the kernels are written once against it.
type isa struct {
	suffix string // appended to kernel names: DotAVX512
	lanes  int    // float32 lanes in a vector
	vec    func() VecVirtual
}

var (
	avx512 = &isa{suffix: "AVX512", lanes: 16, vec: ZMM}
	avx2   = &isa{suffix: "AVX2", lanes: 8, vec: YMM}
	isas   = []*isa{avx512, avx2}
)

func (a *isa) bytes() int { return 4 * a.lanes }

// broadcast loads a float32 argument into every lane of a new vector register.
func (a *isa) broadcast(param string) VecVirtual {
	v := a.vec()
	VBROADCASTSS(paramAddr(param), v)
	return v
}

// paramAddr returns the stack address of a scalar argument.
func paramAddr(name string) Mem {
	arg, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return arg.Addr
}

// broadcastConst loads a float32 constant from the read-only data into every lane.
func (a *isa) broadcastConst(c Mem) VecVirtual {
	v := a.vec()
	VBROADCASTSS(c, v)
	return v
}

// avx2TailMasks holds eight all-ones words followed by eight zero words: the eight
// words starting at word 8-r form the VMASKMOVPS mask for the first r lanes.
var avx2TailMasks Mem

// one is the float32 constant 1.
var one Mem

func constants() {
	avx2TailMasks = GLOBL("avx2TailMasks", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		w := uint32(0)
		if i < 8 {
			w = 0xffffffff
		}
		DATA(4*i, U32(w))
	}
	one = GLOBL("one", RODATA|NOPTR)
	DATA(0, U32(0x3f800000))
}

// A step is one pass of a kernel's body over count consecutive vectors starting
// at element index i of every stream, either whole vectors or, in the tail, the
// first n%lanes elements only (masked loads read zeros beyond them and masked
// stores leave memory beyond them untouched).
type step struct {
	isa    *isa
	i      GPVirtual // element index of the first vector
	count  int
	masked bool
	mask   Op // K register (AVX-512) or lane mask vector (AVX2), when masked
}

func (s step) addr(base Register, j int) Mem {
	return Mem{Base: base, Index: s.i, Scale: 4, Disp: j * s.isa.bytes()}
}

// load returns vector j of the stream at base in a new register.
func (s step) load(base Register, j int) VecVirtual {
	v := s.isa.vec()
	switch {
	case !s.masked:
		VMOVUPS(s.addr(base, j), v)
	case s.isa == avx512:
		VMOVUPS_Z(s.addr(base, j), s.mask, v)
	default:
		VMASKMOVPS(s.addr(base, j), s.mask, v)
	}
	return v
}

// src returns vector j of the stream at base as an instruction source operand: the
// memory itself when whole vectors are in bounds, a masked load otherwise.
func (s step) src(base Register, j int) Op {
	if !s.masked {
		return s.addr(base, j)
	}
	return s.load(base, j)
}

// store writes v to vector j of the stream at base.
func (s step) store(v VecVirtual, base Register, j int) {
	switch {
	case !s.masked:
		VMOVUPS(v, s.addr(base, j))
	case s.isa == avx512:
		VMOVUPS(v, s.mask, s.addr(base, j))
	default:
		VMASKMOVPS(v, s.mask, s.addr(base, j))
	}
}

// stream emits the loop every kernel shares over n elements: an unrolled loop over
// unroll vectors, a one-vector loop, then one masked step for the remainder. body
// emits the work of one step; it is called three times and must allocate its
// temporaries afresh each time.
func (a *isa) stream(name string, n GPVirtual, unroll int, body func(s step)) {
	i := GP64()
	XORQ(i, i)

	block := unroll * a.lanes
	Label(name + "_block")
	CMPQ(n, U32(block))
	JB(LabelRef(name + "_single"))
	body(step{isa: a, i: i, count: unroll})
	ADDQ(U32(block), i)
	SUBQ(U32(block), n)
	JMP(LabelRef(name + "_block"))

	Label(name + "_single")
	CMPQ(n, U32(a.lanes))
	JB(LabelRef(name + "_tail"))
	body(step{isa: a, i: i, count: 1})
	ADDQ(U32(a.lanes), i)
	SUBQ(U32(a.lanes), n)
	JMP(LabelRef(name + "_single"))

	Label(name + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	body(step{isa: a, i: i, count: 1, masked: true, mask: a.tailMask(n)})
	Label(name + "_done")
}

// lowLanes returns a K register with the low n of the bits in all set.
func lowLanes(n GPVirtual, all uint32) Op {
	ones, bits := GP32(), GP32()
	MOVL(U32(all), ones)
	BZHIL(n.As32(), ones, bits)
	k := K()
	KMOVW(bits, k)
	return k
}

// tailMask returns a mask selecting the first n lanes, 0 < n < lanes.
func (a *isa) tailMask(n GPVirtual) Op {
	if a == avx512 {
		return lowLanes(n, 0xffffffff)
	}
	tab := GP64()
	LEAQ(avx2TailMasks, tab)
	NEGQ(n)
	mask := a.vec()
	VMOVUPS(Mem{Base: tab, Index: n, Scale: 4, Disp: 32}, mask)
	return mask
}

// zeros returns count new vector registers set to zero.
func (a *isa) zeros(count int) []VecVirtual {
	vs := make([]VecVirtual, count)
	for j := range vs {
		vs[j] = a.vec()
		VXORPS(vs[j], vs[j], vs[j])
	}
	return vs
}

// horizontalSum adds the accumulators together, then the lanes of the result, and
// returns the float32 total in the low lane of an XMM register.
func (a *isa) horizontalSum(acc []VecVirtual) Register {
	for len(acc) > 1 {
		half := len(acc) / 2
		for j := 0; j < half; j++ {
			VADDPS(acc[j+half], acc[j], acc[j])
		}
		if len(acc)%2 == 1 {
			VADDPS(acc[len(acc)-1], acc[0], acc[0])
		}
		acc = acc[:half]
	}
	v := acc[0]
	if a == avx512 {
		hi := YMM()
		VEXTRACTF32X8(U8(1), v, hi)
		VADDPS(hi, v.AsY(), hi)
		lo := XMM()
		VEXTRACTF32X4(U8(1), hi, lo)
		VADDPS(lo, hi.AsX(), lo)
		return foldXMM(lo)
	}
	lo := XMM()
	VEXTRACTF128(U8(1), v, lo)
	VADDPS(lo, v.AsX(), lo)
	return foldXMM(lo)
}

// foldXMM adds the four lanes of x into its low lane.
func foldXMM(x Register) Register {
	t := XMM()
	VMOVHLPS(x, x, t)
	VADDPS(t, x, x)
	VMOVSHDUP(x, t)
	VADDSS(t, x, x)
	return x
}

// kernel starts an assembly function named name+isa suffix with a doc comment.
func (a *isa) kernel(name, signature string, doc ...string) string {
	fn := name + a.suffix
	TEXT(fn, NOSPLIT, signature)
	lines := []string{fmt.Sprintf("%s computes, with %s:", fn, a.suffix), ""}
	for _, l := range doc {
		lines = append(lines, "\t"+l)
	}
	Doc(lines...)
	Pragma("noescape")
	return fn
}
