package kernels

// The kernels of the one-sided Jacobi SVD (linalg/svd_jacobi*.go): for a pair of
// columns, the three dot products that decide whether to rotate it, in one pass,
// and the plane rotation of the pair. The columns are contiguous (the SVD works on
// the transpose), so these are streaming loops.

// jacobiDotsGeneric returns, accumulated in float64,
//
//	for i := range x {
//		xx += float64(x[i]) * float64(x[i])
//		yy += float64(y[i]) * float64(y[i])
//		xy += float64(x[i]) * float64(y[i])
//	}
//
// The products of two float32 are exact in float64, so the only rounding is the
// summation's: the cosine |xy|/√(xx·yy) the SVD tests against tol = √m·ε₃₂ is
// good to ≈ m·ε₆₄, where a float32 accumulation would give only ≈ √m·ε₃₂ and
// stall the iteration.
func jacobiDotsGeneric(x, y []float32) (xx, yy, xy float64) {
	for i, xv := range x {
		a, b := float64(xv), float64(y[i])
		xx += a * a
		yy += b * b
		xy += a * b
	}
	return xx, yy, xy
}

// jacobiRotateGeneric applies the plane rotation
//
//	for i := range x {
//		x[i], y[i] = c*x[i] - s*y[i], s*x[i] + c*y[i]
//	}
func jacobiRotateGeneric(x, y []float32, c, s float32) {
	for i, xv := range x {
		yv := y[i]
		x[i] = c*xv - s*yv
		y[i] = s*xv + c*yv
	}
}

// jacobiRotate64Generic is jacobiRotateGeneric in float64, for the accumulated
// right rotations:
//
//	for i := range x {
//		x[i], y[i] = c*x[i] - s*y[i], s*x[i] + c*y[i]
//	}
func jacobiRotate64Generic(x, y []float64, c, s float64) {
	for i, xv := range x {
		yv := y[i]
		x[i] = c*xv - s*yv
		y[i] = s*xv + c*yv
	}
}

// JacobiDots returns Σ x[i]², Σ y[i]² and Σ x[i]·y[i] in one pass, accumulated in
// float64 (see the loop in jacobiDotsGeneric). The slices must have the same length.
func (v *Variant) JacobiDots(x, y []float32) (xx, yy, xy float64) {
	checkLen("JacobiDots", "x", "y", len(x), len(y))
	return v.jacobiDots(x, y)
}

// JacobiRotate computes x[i], y[i] = c·x[i] − s·y[i], s·x[i] + c·y[i]. The slices
// must have the same length and not overlap.
func (v *Variant) JacobiRotate(x, y []float32, c, s float32) {
	checkLen("JacobiRotate", "x", "y", len(x), len(y))
	v.jacobiRotate(x, y, c, s)
}

// JacobiRotate64 is JacobiRotate in float64.
func (v *Variant) JacobiRotate64(x, y []float64, c, s float64) {
	checkLen("JacobiRotate64", "x", "y", len(x), len(y))
	v.jacobiRotate64(x, y, c, s)
}

// JacobiDots returns Σ x², Σ y², Σ xy in float64 with the active variant.
func JacobiDots(x, y []float32) (xx, yy, xy float64) { return active.JacobiDots(x, y) }

// JacobiRotate rotates the pair (x, y) by (c, s) with the active variant.
func JacobiRotate(x, y []float32, c, s float32) { active.JacobiRotate(x, y, c, s) }

// JacobiRotate64 rotates the float64 pair (x, y) by (c, s) with the active variant.
func JacobiRotate64(x, y []float64, c, s float64) { active.JacobiRotate64(x, y, c, s) }
