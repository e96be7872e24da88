package linalg

import (
	"math"

	"github.com/rankae/rankae/kernels"
)

// The Householder QR that preconditions the Jacobi SVD of a tall matrix (LAPACK
// sgeqrf's layout), on contiguous columns: column j of the mt×nt matrix is
// x[j*mt : (j+1)*mt]. Panels of qrBlock columns are factored one reflector at a
// time (sgeqr2); from qrBlockedMinN columns on, each panel's reflectors then
// reach the columns right of it as one block reflector I − V·T·Vᵀ (sgeqrf with
// slarft and slarfb), which is three matrix products instead of a dot product
// and an axpy per reflector and column. applyQ forms Q·U the same way.

const (
	qrBlock       = 32
	qrBlockedMinN = 96
)

// qrWork holds the block reflectors of a blocked QR: the triangular factor T
// of every panel, and scratch for V and the products.
type qrWork struct {
	t    []float32 // panel p's T (upper triangular, row-major b×b) at t[p*qrBlock*qrBlock:]
	v    []float32 // V of one panel, row-major b×(mt − j0): reflector r in row r
	prod []float32 // Vᵀ·C and T·(Vᵀ·C), row-major (columns of C)×b each
}

// householderQR overwrites x, scaled to max |x| < 1, with R in its upper
// triangle and the Householder vectors below it: H_j = I − tau[j]·v·vᵀ with v = (0…0, 1, x[j+1:, j]), and
// Q = H_0·H_1·…·H_{nt−1}. Each reflector is built with float64 norms; the
// updates are column dot products and axpys (kernels.HouseholderApply) or
// matrix products, linear in each column, so each column's backward error is
// relative to that column's norm (graded columns keep their accuracy). The
// block reflectors' products run on up to threads goroutines.
func householderQR(v *kernels.Variant, x []float32, mt, nt int, tau []float32, w *qrWork, threads int) {
	blocked := nt >= qrBlockedMinN
	if blocked {
		w.t = growS(w.t, (nt+qrBlock-1)/qrBlock*qrBlock*qrBlock)
	}
	for j0 := 0; j0 < nt; j0 += qrBlock {
		end := min(j0+qrBlock, nt)
		if !blocked {
			end = nt // one panel: every reflector reaches every column right of it
		}
		for j := j0; j < end; j++ {
			col := x[j*mt : (j+1)*mt]
			tail := col[j+1:]
			xx, _, _ := v.JacobiDots(tail, tail)
			alpha := float64(col[j])
			if alpha*alpha+xx < negligibleSq32 {
				// The rest of the column is rounding residue (see negligibleSq32):
				// 1/(alpha − beta) below would overflow float32. It counts as zero.
				clear(tail)
				xx = 0
			}
			if xx == 0 {
				tau[j] = 0 // H_j = I: the column is already reduced
				continue
			}
			beta := -math.Copysign(math.Sqrt(alpha*alpha+xx), alpha)
			t := float32((beta - alpha) / beta)
			tau[j] = t
			v.Scal(float32(1/(alpha-beta)), tail)
			col[j] = float32(beta)
			if j+1 < end { // H_j on columns j+1…end−1, rows j…mt−1
				v.HouseholderApply(tail, t, x[(j+1)*mt+j:], mt, end-j-1)
			}
		}
		if !blocked {
			return
		}
		// T of every panel, for applyQ; then columns end…nt−1, rows
		// j0…mt−1: C ← (I − V·T·Vᵀ)ᵀ·C.
		b := end - j0
		vp := w.panelV(x, mt, j0, b)
		t := w.panelT(v, vp, mt-j0, j0, b, tau)
		if end < nt {
			w.applyBlock(v, vp, t, b, mt-j0, x[end*mt+j0:], mt, nt-end, true, threads)
		}
	}
}

// panelV builds V of the b reflectors of the panel at column j0 in w.v and
// returns it: row-major b×(mt−j0), row r = (0…0, 1, the vector below the
// diagonal of column j0+r).
func (w *qrWork) panelV(x []float32, mt, j0, b int) []float32 {
	rows := mt - j0
	vp := growS(w.v, b*rows)
	w.v = vp
	for r := 0; r < b; r++ {
		row := vp[r*rows : (r+1)*rows]
		clear(row[:r])
		row[r] = 1
		copy(row[r+1:], x[(j0+r)*mt+j0+r+1:(j0+r+1)*mt])
	}
	return vp
}

// panelT computes the triangular factor T of the panel at column j0 from its
// V (rows long reflectors), as LAPACK slarft (forward, columnwise): H_j0⋯H_j0+b−1
// = I − V·T·Vᵀ. It keeps T in w.t for applyQ and returns it.
func (w *qrWork) panelT(v *kernels.Variant, vp []float32, rows, j0, b int, tau []float32) []float32 {
	t := w.t[j0/qrBlock*qrBlock*qrBlock:][:b*b]
	clear(t)
	// T(0:i, i) = −tau_i·T(0:i, 0:i)·V(:, 0:i)ᵀ·v_i, T(i, i) = tau_i.
	for i := 0; i < b; i++ {
		ti := tau[j0+i]
		if ti == 0 {
			continue
		}
		vi := vp[i*rows+i : (i+1)*rows]
		for l := 0; l < i; l++ {
			t[l*b+i] = -ti * v.Dot(vp[l*rows+i:(l+1)*rows], vi)
		}
		for l := 0; l < i; l++ { // upper triangular: row l uses t[l*b+l…i−1]
			var s float32
			for k := l; k < i; k++ {
				s += t[l*b+k] * t[k*b+i]
			}
			t[l*b+i] = s
		}
		t[i*b+i] = ti
	}
	return t
}

// applyBlock overwrites the ncols columns of c (rows of them, column k at
// c[k*ldc:]) with (I − V·T·Vᵀ)ᵀ·c when transpose is set (the QR's update),
// or (I − V·T·Vᵀ)·c (Q·U): c −= V·op(T)·(Vᵀ·c). Seen row-major, the columns
// of c are the rows of an ncols×rows matrix C, so the products are
// P = C·Vᵀ, P ← P·op(T)ᵀ and C −= P·V.
func (w *qrWork) applyBlock(v *kernels.Variant, vp, t []float32, b, rows int, c []float32, ldc, ncols int, transpose bool, threads int) {
	w.prod = growS(w.prod, 2*ncols*b)
	p, q := w.prod[:ncols*b], w.prod[ncols*b:]
	sgemmThreads(v, threads, false, true, ncols, b, rows, 1, c, ldc, vp, rows, 0, p, b)
	// (op(T)·Pᵀ)ᵀ = P·op(T)ᵀ: T itself for the transpose, Tᵀ for Q·U.
	sgemmThreads(v, threads, false, !transpose, ncols, b, b, 1, p, b, t, b, 0, q, b)
	sgemmThreads(v, threads, false, false, ncols, rows, b, -1, q, b, vp, rows, 1, c, ldc)
}

// applyQ overwrites the ncols columns of u (length mt each, column k at
// u[k*mt:]) with Q·u, Q from householderQR's x and tau (and w, when it
// blocked).
func applyQ(v *kernels.Variant, x []float32, mt, nt int, tau []float32, u []float32, ncols int, w *qrWork, threads int) {
	if nt < qrBlockedMinN {
		for j := nt - 1; j >= 0; j-- {
			if tau[j] != 0 { // H_j on rows j…mt−1 of every column
				v.HouseholderApply(x[j*mt+j+1:(j+1)*mt], tau[j], u[j:], mt, ncols)
			}
		}
		return
	}
	// Q·U = (I − V₀T₀V₀ᵀ)·(I − V₁T₁V₁ᵀ)⋯U: the last panel first.
	for j0 := (nt - 1) / qrBlock * qrBlock; j0 >= 0; j0 -= qrBlock {
		b := min(qrBlock, nt-j0)
		vp, t := w.panelV(x, mt, j0, b), w.t[j0/qrBlock*qrBlock*qrBlock:][:b*b]
		w.applyBlock(v, vp, t, b, mt-j0, u[j0:], mt, ncols, false, threads)
	}
}
