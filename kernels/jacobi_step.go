package kernels

import (
	"fmt"
	"math"
)

// The kernels of one round-robin Jacobi step (linalg/svd_parallel.go). The pairs
// of a step are disjoint, so nothing in one pair waits on another: their dot
// products, rotation angles and rotations run as three batches, one call each
// instead of three calls per pair, and the angles four pairs to a vector
// (vsqrtpd, vdivpd) instead of a chain of scalar square roots and divisions per
// pair. Column j of a matrix with rows rows is m[j*rows:(j+1)*rows].

// JacobiRotation returns, for a column pair with squared norms app, aqq and dot
// product apq, the plane rotation (cos θ, sin θ, tan θ) that makes the pair
// orthogonal, and rotate = true, when the pair's cosine |apq|/√(app·aqq)
// exceeds tol and neither squared norm is below small (a column that small is
// treated as zero); otherwise (1, 0, 0, false).
//
// With d = aqq − app and e = 2apq, tan θ = sign(d·e)·|e|/(|d| + √(d² + e²)),
// Rutishauser's stable root as in LAPACK sgesvj, multiplied out so that it
// costs two square roots and two divisions.
func JacobiRotation(app, aqq, apq, tol, small float64) (cs, sn, t float64, rotate bool) {
	if app < small || aqq < small || apq*apq <= tol*tol*app*aqq {
		return 1, 0, 0, false
	}
	d, e := aqq-app, 2*apq
	g := math.Abs(d) + math.Sqrt(d*d+e*e)
	if d < 0 {
		e = -e
	}
	rn := 1 / math.Sqrt(g*g+e*e)
	return g * rn, e * rn, e / g, true
}

// jacobiAnglesGeneric computes
//
//	for k := range xx {
//		c[k], s[k], _, ok = JacobiRotation(xx[k], yy[k], xy[k], tol, small)
//		if ok { rotations++ }
//	}
func jacobiAnglesGeneric(xx, yy, xy []float64, tol, small float64, c, s []float64) (rotations int) {
	for k := range xx {
		var ok bool
		c[k], s[k], _, ok = JacobiRotation(xx[k], yy[k], xy[k], tol, small)
		if ok {
			rotations++
		}
	}
	return rotations
}

// checkPairs panics unless p and q have the same length, every index names a
// whole column of a matrix of size elements with rows rows, and no pair is a
// column with itself. The kernels index memory with p and q, so this check is
// what keeps them in bounds.
func checkPairs(kernel string, size, rows int, p, q []int) {
	checkLen(kernel, "p", "q", len(p), len(q))
	if rows < 0 {
		panic(fmt.Sprintf("kernels: %s: rows = %d < 0", kernel, rows))
	}
	cols := size
	if rows > 0 {
		cols = size / rows
	}
	for k := range p {
		if uint(p[k]) >= uint(cols) || uint(q[k]) >= uint(cols) || p[k] == q[k] {
			panic(fmt.Sprintf("kernels: %s: pair %d is columns (%d, %d) of a matrix with %d columns of %d rows", kernel, k, p[k], q[k], cols, rows))
		}
	}
}

// JacobiPairDots computes, for every pair k, the three dot products of columns
// p[k] and q[k] of cols (column j is cols[j*rows:(j+1)*rows]) in one pass,
// accumulated in float64 as JacobiDots:
// xx[k], yy[k], xy[k] = Σ x², Σ y², Σ x·y. The index and output slices must
// have the same length and the indices name distinct columns of cols.
func (v *Variant) JacobiPairDots(cols []float32, rows int, p, q []int, xx, yy, xy []float64) {
	checkPairs("JacobiPairDots", len(cols), rows, p, q)
	checkLen("JacobiPairDots", "p", "xx", len(p), len(xx))
	checkLen("JacobiPairDots", "p", "yy", len(p), len(yy))
	checkLen("JacobiPairDots", "p", "xy", len(p), len(xy))
	if rows == 0 {
		clear(xx)
		clear(yy)
		clear(xy)
		return
	}
	v.jacobiPairDots(cols, rows, p, q, xx, yy, xy)
}

// JacobiAngles computes the rotation of JacobiRotation for every pair k from
// xx[k], yy[k], xy[k]: c[k], s[k] = cos θ, sin θ, or 1, 0 for a pair that is
// not rotated. It returns the number of pairs that are. All slices must have
// the same length.
func (v *Variant) JacobiAngles(xx, yy, xy []float64, tol, small float64, c, s []float64) (rotations int) {
	checkLen("JacobiAngles", "xx", "yy", len(xx), len(yy))
	checkLen("JacobiAngles", "xx", "xy", len(xx), len(xy))
	checkLen("JacobiAngles", "xx", "c", len(xx), len(c))
	checkLen("JacobiAngles", "xx", "s", len(xx), len(s))
	return v.jacobiAngles(xx, yy, xy, tol, small, c, s)
}

// JacobiRotatePairs rotates, for every pair k with s[k] ≠ 0, columns p[k] and
// q[k] of cols by (float32(c[k]), float32(s[k])) as JacobiRotate does; the
// pairs JacobiAngles does not rotate (s[k] = 0) stay as they are. The pairs
// must be disjoint; the index and rotation slices must have the same length.
func (v *Variant) JacobiRotatePairs(cols []float32, rows int, p, q []int, c, s []float64) {
	checkPairs("JacobiRotatePairs", len(cols), rows, p, q)
	checkLen("JacobiRotatePairs", "p", "c", len(p), len(c))
	checkLen("JacobiRotatePairs", "p", "s", len(p), len(s))
	if rows > 0 {
		v.jacobiRotatePairs(cols, rows, p, q, c, s)
	}
}

// JacobiRotatePairs64 is JacobiRotatePairs on float64 columns, for the
// accumulated right rotations.
func (v *Variant) JacobiRotatePairs64(w []float64, rows int, p, q []int, c, s []float64) {
	checkPairs("JacobiRotatePairs64", len(w), rows, p, q)
	checkLen("JacobiRotatePairs64", "p", "c", len(p), len(c))
	checkLen("JacobiRotatePairs64", "p", "s", len(p), len(s))
	if rows > 0 {
		v.jacobiRotatePairs64(w, rows, p, q, c, s)
	}
}

// JacobiPairDots computes the dot products of the pairs of a step with the
// active variant.
func JacobiPairDots(cols []float32, rows int, p, q []int, xx, yy, xy []float64) {
	active.JacobiPairDots(cols, rows, p, q, xx, yy, xy)
}

// JacobiAngles computes the rotations of the pairs of a step with the active
// variant.
func JacobiAngles(xx, yy, xy []float64, tol, small float64, c, s []float64) (rotations int) {
	return active.JacobiAngles(xx, yy, xy, tol, small, c, s)
}

// JacobiRotatePairs rotates the pairs of a step with the active variant.
func JacobiRotatePairs(cols []float32, rows int, p, q []int, c, s []float64) {
	active.JacobiRotatePairs(cols, rows, p, q, c, s)
}

// JacobiRotatePairs64 rotates the float64 pairs of a step with the active
// variant.
func JacobiRotatePairs64(w []float64, rows int, p, q []int, c, s []float64) {
	active.JacobiRotatePairs64(w, rows, p, q, c, s)
}
