package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The kernels of the direct convolution (layers/conv_direct.go), on images
// with the batch innermost: a tap (channel, kernel row, kernel column) of a
// stride-1 convolution is then one shift of a whole block of image rows, an
// offset into x, and one call runs every tap over a block of rows of the
// output (CorrelateTaps) or every tap's dot product with such a block
// (CorrelateTapsGrad).

// advanceRows moves y and x on by a row: ldy and ldx floats.
func advanceRows(y, x GPVirtual) {
	ld := GP64()
	Load(Param("ldy"), ld)
	LEAQ(Mem{Base: y, Index: ld, Scale: 4}, y)
	Load(Param("ldx"), ld)
	LEAQ(Mem{Base: x, Index: ld, Scale: 4}, x)
}

// loadMasked loads the vector at m into a new register, only the lanes of
// mask (zero elsewhere, and no fault past them) unless mask is nil.
func (a *isa) loadMasked(m Mem, mask Op) VecVirtual {
	v := a.vec()
	switch {
	case mask == nil:
		VMOVUPS(m, v)
	case a == avx512:
		VMOVUPS_Z(m, mask, v)
	default:
		VMASKMOVPS(m, mask, v)
	}
	return v
}

// storeMasked stores v at m, only the lanes of mask unless mask is nil.
func (a *isa) storeMasked(v VecVirtual, m Mem, mask Op) {
	switch {
	case mask == nil:
		VMOVUPS(v, m)
	case a == avx512:
		VMOVUPS(v, mask, m)
	default:
		VMASKMOVPS(v, mask, m)
	}
}

// tapsBlocks are the vector counts of the blocks of a row that CorrelateTaps
// holds in registers across all the taps: eight vectors keep both FMA pipes
// busy through the four-cycle latency of each accumulator's chain; the
// smaller blocks take the rest of a row before its masked last vector.
var tapsBlocks = []int{8, 4, 2, 1}

func correlateTaps(a *isa) {
	fn := a.kernel("CorrelateTaps", "func(y []float32, ldy int, x []float32, ldx int, w []float32, offs []int, rows, n int)",
		"for r := 0; r < rows; r++ {",
		"\tfor t := 0; t < n; t++ {",
		"\t\tfor k := range w {",
		"\t\t\ty[r*ldy+t] += w[k] * x[r*ldx+offs[k]+t]",
		"\t\t}",
		"\t}",
		"}")
	y, x, w, offs := base("y"), base("x"), base("w"), base("offs")
	rows := Load(Param("rows"), GP64())
	Label(fn + "_row")
	left, i := GP64(), GP64()
	Load(Param("n"), left)
	XORQ(i, i)
	// block emits the taps over count vectors of the row from element i on,
	// the last one masked when mask is not nil.
	block := func(label string, count int, mask Op) {
		// Only the last vector of a block is ever masked.
		maskOf := func(j int) Op {
			if j == count-1 {
				return mask
			}
			return nil
		}
		acc := make([]VecVirtual, count)
		for j := range acc {
			acc[j] = a.loadMasked(Mem{Base: y, Index: i, Scale: 4, Disp: j * a.bytes()}, maskOf(j))
		}
		tap, off := GP64(), GP64()
		XORQ(tap, tap)
		Label(label)
		wv := a.vec()
		VBROADCASTSS(Mem{Base: w, Index: tap, Scale: 4}, wv)
		MOVQ(Mem{Base: offs, Index: tap, Scale: 8}, off)
		ADDQ(i, off)
		for j := range acc {
			m := Mem{Base: x, Index: off, Scale: 4, Disp: j * a.bytes()}
			if maskOf(j) == nil {
				VFMADD231PS(m, wv, acc[j])
			} else {
				VFMADD231PS(a.loadMasked(m, mask), wv, acc[j])
			}
		}
		INCQ(tap)
		CMPQ(tap, paramAddrLen("w"))
		JB(LabelRef(label))
		for j := range acc {
			a.storeMasked(acc[j], Mem{Base: y, Index: i, Scale: 4, Disp: j * a.bytes()}, maskOf(j))
		}
	}
	for _, count := range tapsBlocks {
		name := fmt.Sprintf("%s_block%d", fn, count)
		Label(name)
		CMPQ(left, U32(count*a.lanes))
		JB(LabelRef(fmt.Sprintf("%s_after%d", fn, count)))
		block(name+"_taps", count, nil)
		ADDQ(U32(count*a.lanes), i)
		SUBQ(U32(count*a.lanes), left)
		if count == tapsBlocks[0] {
			JMP(LabelRef(name)) // the smaller blocks run at most once
		}
		Label(fmt.Sprintf("%s_after%d", fn, count))
	}
	TESTQ(left, left)
	JZ(LabelRef(fn + "_next"))
	block(fn+"_tail_taps", 1, a.tailMask(left))
	Label(fn + "_next")
	advanceRows(y, x)
	DECQ(rows)
	JNZ(LabelRef(fn + "_row"))
	VZEROUPPER()
	RET()
}

// gradGroup is the number of taps CorrelateTapsGrad accumulates at once,
// each over gradUnroll vectors of the row: eight accumulators, and ten loads
// for their eight FMAs.
const gradGroup, gradUnroll = 4, 2

func correlateTapsGrad(a *isa) {
	fn := a.kernel("CorrelateTapsGrad", "func(g []float32, y []float32, ldy int, x []float32, ldx int, offs []int, rows, n int)",
		"for k := range g {",
		"\tfor r := 0; r < rows; r++ {",
		"\t\tfor t := 0; t < n; t++ {",
		"\t\t\tg[k] += y[r*ldy+t] * x[r*ldx+offs[k]+t]",
		"\t\t}",
		"\t}",
		"}")
	k0 := GP64()
	XORQ(k0, k0)
	for _, group := range []int{gradGroup, 1} {
		prefix := fmt.Sprintf("%s_group%d", fn, group)
		Label(prefix)
		// Enough taps left for a group?
		end := GP64()
		MOVQ(k0, end)
		ADDQ(U32(group), end)
		CMPQ(end, paramAddrLen("g"))
		JA(LabelRef(prefix + "_done"))
		acc := make([][]VecVirtual, group)
		for q := range acc {
			acc[q] = a.zeros(gradUnroll)
		}
		yRow, xRow, rows := base("y"), base("x"), GP64()
		Load(Param("rows"), rows)
		Label(prefix + "_row")
		// Pointers into this row of y and, for each tap, of x at its offset.
		yp := GP64()
		MOVQ(yRow, yp)
		xp := make([]GPVirtual, group)
		offs := base("offs")
		for q := range xp {
			xp[q] = GP64()
			MOVQ(Mem{Base: offs, Index: k0, Scale: 8, Disp: 8 * q}, xp[q])
			LEAQ(Mem{Base: xRow, Index: xp[q], Scale: 4}, xp[q])
		}
		left := GP64()
		Load(Param("n"), left)
		// step emits count vectors, the last masked when mask is not nil, and
		// advances the pointers past them.
		step := func(count int, mask Op) {
			for u := 0; u < count; u++ {
				yv := a.loadMasked(Mem{Base: yp, Disp: u * a.bytes()}, mask)
				for q := range xp {
					// x is loaded through the mask too: past the row it may
					// lie outside the slice.
					xm := Mem{Base: xp[q], Disp: u * a.bytes()}
					if mask == nil {
						VFMADD231PS(xm, yv, acc[q][u])
					} else {
						VFMADD231PS(a.loadMasked(xm, mask), yv, acc[q][u])
					}
				}
			}
			if mask != nil {
				return
			}
			ADDQ(U32(count*a.bytes()), yp)
			for q := range xp {
				ADDQ(U32(count*a.bytes()), xp[q])
			}
		}
		Label(prefix + "_block")
		CMPQ(left, U32(gradUnroll*a.lanes))
		JB(LabelRef(prefix + "_single"))
		step(gradUnroll, nil)
		SUBQ(U32(gradUnroll*a.lanes), left)
		JMP(LabelRef(prefix + "_block"))
		Label(prefix + "_single")
		CMPQ(left, U32(a.lanes))
		JB(LabelRef(prefix + "_tail"))
		step(1, nil)
		SUBQ(U32(a.lanes), left)
		JMP(LabelRef(prefix + "_single"))
		Label(prefix + "_tail")
		TESTQ(left, left)
		JZ(LabelRef(prefix + "_rowdone"))
		step(1, a.tailMask(left))
		Label(prefix + "_rowdone")
		advanceRows(yRow, xRow)
		DECQ(rows)
		JNZ(LabelRef(prefix + "_row"))
		g := base("g")
		for q := range acc {
			sum := a.horizontalSum(acc[q])
			m := Mem{Base: g, Index: k0, Scale: 4, Disp: 4 * q}
			VADDSS(m, sum, sum)
			VMOVSS(sum, m)
		}
		ADDQ(U32(group), k0)
		JMP(LabelRef(prefix))
		Label(prefix + "_done")
	}
	VZEROUPPER()
	RET()
}
