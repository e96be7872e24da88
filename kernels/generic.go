package kernels

import "math"

// The pure-Go references. Each is the specification of its kernel: the assembly
// variants compute the same loop (up to the order of a reduction and FMA rounding)
// and the tests hold them to it. The caller has checked the lengths.

// dotGeneric returns Σ x[i]*y[i] over i < len(x).
func dotGeneric(x, y []float32) float32 {
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// axpyGeneric computes y[i] += alpha*x[i] for i < len(x).
func axpyGeneric(alpha float32, x, y []float32) {
	for i, v := range x {
		y[i] += alpha * v
	}
}

// scalGeneric computes x[i] *= alpha.
func scalGeneric(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}

// addGeneric computes dst[i] = x[i] + y[i] for i < len(dst).
func addGeneric(dst, x, y []float32) {
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

// mulGeneric computes dst[i] = x[i] * y[i] for i < len(dst).
func mulGeneric(dst, x, y []float32) {
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

// sumGeneric returns Σ x[i].
func sumGeneric(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

// sumSqGeneric returns Σ x[i]².
func sumSqGeneric(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v * v
	}
	return s
}

// tanhGeneric computes dst[i] = tanh(x[i]) through float64 (tanh64).
func tanhGeneric(dst, x []float32) {
	for i := range dst {
		dst[i] = float32(tanh64(float64(x[i])))
	}
}

// tanh64 is tanh(x) to float64 accuracy far beyond float32's, from one
// exponential (about twice as fast as math.Tanh): 1 − 2/(e^(2|x|) + 1) with
// the sign of x, which loses at most 13 of float64's 53 bits to
// cancellation for |x| ≥ 2⁻¹², and x(1 − x²/3) below, whose error is under
// x⁵ (relative 2⁻⁴⁸).
func tanh64(x float64) float64 {
	ax := math.Abs(x)
	if ax < 0x1p-12 {
		return x * (1 - x*x/3)
	}
	if ax > 20 { // tanh = 1 in float32 beyond 9.01
		return math.Copysign(1, x)
	}
	t := 1 - 2/(math.Exp(2*ax)+1)
	return math.Copysign(t, x)
}

// reluGeneric computes dst[i] = max(x[i], 0) for i < len(dst); a NaN passes
// through, as in PyTorch, so that divergence stays visible.
func reluGeneric(dst, x []float32) {
	for i := range dst {
		v := x[i]
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}

// reluBackwardGeneric computes dx[i] = dy[i] where x[i] > 0 and 0 elsewhere
// (NaN x included), for i < len(dx).
func reluBackwardGeneric(dx, dy, x []float32) {
	for i := range dx {
		if x[i] > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// adamGeneric is one fused Adam (belief = 0) or AdaBelief (belief = 1) step
// over i < len(param):
//
//	d := grad[i] - belief*m[i]
//	m[i] = beta1*m[i] + c1*grad[i]
//	v[i] = beta2*v[i] + c2*d² + epsRoot
//	param[i] -= stepSize * m[i] / (sqrt(v[i])*invSqrtBias2 + eps)
//
// with c1 = 1-beta1, c2 = 1-beta2, stepSize = lr/(1-beta1^t) and
// invSqrtBias2 = 1/sqrt(1-beta2^t), which is PyTorch's formulation of the bias
// correction.
func adamGeneric(param, grad, m, v []float32, beta1, c1, beta2, c2, stepSize, invSqrtBias2, eps, belief, epsRoot float32) {
	for i := range param {
		g := grad[i]
		d := g - belief*m[i]
		mi := beta1*m[i] + c1*g
		vi := beta2*v[i] + c2*d*d + epsRoot
		m[i], v[i] = mi, vi
		param[i] -= stepSize * mi / (float32(math.Sqrt(float64(vi)))*invSqrtBias2 + eps)
	}
}
