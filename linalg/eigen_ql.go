package linalg

import (
	"math"

	"github.com/rankae/rankae/kernels"
)

// The implicit QL iteration with Wilkinson-type shifts (EISPACK tql2) for the
// symmetric tridiagonal eigenproblem: symEigen's whole solver up to dcLeaf
// rows, and divide and conquer's leaves. A sweep is a chain of a square root
// and a division per rotation, which bounds it by latency, not throughput:
// divide and conquer therefore runs its leaves two at a time, their sweeps
// interleaved (qlRun), so that one chain fills the other's wait.

// qlProblem is a symmetric tridiagonal matrix (d, e; e[i] couples i and i+1,
// e[n−1] = 0) under the iteration, with the columns of z (n×n, column j at
// z[j*n:]) rotated along, held between two sweeps.
type qlProblem struct {
	d, e, z, cs, ss []float64 // cs, ss: a sweep's rotations, length n
	n, l, m, iter   int       // iterating on eigenvalue l, with e[m] negligible
	f, tst1         float64   // the shifts so far; the largest |d_i| + |e_i| seen
	el1, dl1        float64   // e[l+1] and d[l+1] as the sweep starts
	failed          bool
}

func newQLProblem(d, e []float64, n int, z, cs, ss []float64) qlProblem {
	return qlProblem{d: d, e: e, z: z, cs: cs, ss: ss, n: n, m: -1}
}

// tridiagonalQL diagonalises the symmetric tridiagonal matrix (d, e) of order
// n, rotating the columns of z (n×n, column j at z[j*n:]) along, each sweep's
// rotations (kept in cs and ss, of length n) in one pass: on return d holds
// the eigenvalues (unsorted) and column j of z the eigenvector of d[j]. It
// reports false if an eigenvalue took more than 30 iterations.
func tridiagonalQL(v *kernels.Variant, d, e []float64, n int, z, cs, ss []float64) bool {
	q := newQLProblem(d, e, n, z, cs, ss)
	return qlRun(v, &q, nil)
}

// qlRun iterates a, and b if not nil, until every eigenvalue has converged,
// the sweeps of the two in one loop. It reports false if one failed.
func qlRun(v *kernels.Variant, a, b *qlProblem) bool {
	moreA, moreB := a.next(), b != nil && b.next()
	for moreA || moreB {
		// (p, c, s) carries a sweep from one rotation to the next; s2 and c3
		// are the sine and cosine one and two rotations back.
		var pa, ca, sa, s2a, c2a, c3a, pb, cb, sb, s2b, c2b, c3b float64
		ia, la, ib, lb := -1, 0, -1, 0
		var da, ea, csa, ssa, db, eb, csb, ssb []float64
		if moreA {
			da, ea, csa, ssa = a.d, a.e, a.cs, a.ss
			ia, la = a.m-1, a.l
			pa, ca, c2a, c3a = da[a.m], 1, 1, 1
		}
		if moreB {
			db, eb, csb, ssb = b.d, b.e, b.cs, b.ss
			ib, lb = b.m-1, b.l
			pb, cb, c2b, c3b = db[b.m], 1, 1, 1
		}
		for ia >= la || ib >= lb {
			if ia >= la {
				c3a, c2a, s2a = c2a, ca, sa
				pa, ca, sa, ea[ia+1], da[ia+1] = qlRotation(pa, ca, sa, ea[ia], da[ia])
				csa[ia-la], ssa[ia-la] = ca, sa
				ia--
			}
			if ib >= lb {
				c3b, c2b, s2b = c2b, cb, sb
				pb, cb, sb, eb[ib+1], db[ib+1] = qlRotation(pb, cb, sb, eb[ib], db[ib])
				csb[ib-lb], ssb[ib-lb] = cb, sb
				ib--
			}
		}
		if moreA {
			a.finish(v, pa, ca, sa, s2a, c3a)
			moreA = a.next()
		}
		if moreB {
			b.finish(v, pb, cb, sb, s2b, c3b)
			moreB = b.next()
		}
	}
	return !a.failed && (b == nil || !b.failed)
}

// qlRotation is one rotation of a sweep, at row i: given the sweep's (p, c, s)
// and e[i], d[i], it returns the next (p, c, s) and the new e[i+1], d[i+1].
func qlRotation(p, c, s, ei, di float64) (pn, cn, sn, ei1, di1 float64) {
	g := c * ei
	h := c * p
	r := math.Sqrt(p*p + ei*ei)
	if !(r > 0x1p-450 && r < 0x1p450) { // the squares may have under- or overflowed
		r = math.Hypot(p, ei)
	}
	rinv := 1 / r // one division on the sweep's critical path, not two
	sn, cn = ei*rinv, p*rinv
	return cn*di - sn*g, cn, sn, s * r, h + sn*(cn*g+sn*di)
}

// next prepares q's next sweep: it moves on to the first eigenvalue not yet
// converged and shifts d by the eigenvalue of the leading 2×2 block nearer
// d[l]. It returns false once every eigenvalue has converged, or when one took
// more than 30 sweeps (q.failed).
func (q *qlProblem) next() bool {
	const eps = 0x1p-52
	d, e, n := q.d, q.e, q.n
	for q.l < n {
		l := q.l
		if q.m < 0 {
			q.tst1 = math.Max(q.tst1, math.Abs(d[l])+math.Abs(e[l]))
			m := l
			for m < n-1 && math.Abs(e[m]) > eps*q.tst1 {
				m++
			}
			q.m, q.iter = m, 0
		}
		if q.m > l && math.Abs(e[l]) > eps*q.tst1 {
			if q.iter == 30 {
				q.failed = true
				return false
			}
			q.iter++
			g := d[l]
			p := (d[l+1] - g) / (2 * e[l])
			r := math.Sqrt(p*p + 1)
			if p*p > 0x1p1000 {
				r = math.Abs(p)
			}
			if p < 0 {
				r = -r
			}
			d[l] = e[l] / (p + r)
			d[l+1] = e[l] * (p + r)
			h := g - d[l]
			for i := l + 2; i < n; i++ {
				d[i] -= h
			}
			q.f += h
			q.el1, q.dl1 = e[l+1], d[l+1]
			return true
		}
		d[l] += q.f
		e[l] = 0
		q.l, q.m = l+1, -1
	}
	return false
}

// finish ends the sweep that left (p, c, s), s2 and c3: it rotates z's
// columns l…m by the sweep's rotations (the last first) and sets e[l], d[l].
func (q *qlProblem) finish(v *kernels.Variant, p, c, s, s2, c3 float64) {
	l, m, n := q.l, q.m, q.n
	v.RotateSeq64(q.z[l*n:(m+1)*n], n, q.cs[:m-l], q.ss[:m-l])
	p = -s * s2 * c3 * q.el1 * q.e[l] / q.dl1
	q.e[l] = s * p
	q.d[l] = c * p
}
