package kernels

import "fmt"

// The public kernels. Each checks its arguments, so that a mistake panics here
// with a clear message rather than deep in assembly, then runs the variant.
// The package-level functions use the active variant.

func checkLen(kernel, a, b string, na, nb int) {
	if na != nb {
		panic(fmt.Sprintf("kernels: %s: len(%s) = %d != len(%s) = %d", kernel, a, na, b, nb))
	}
}

// Dot returns Σ x[i]*y[i]. The slices must have the same length.
func (v *Variant) Dot(x, y []float32) float32 {
	checkLen("Dot", "x", "y", len(x), len(y))
	return v.dot(x, y)
}

// Axpy computes y[i] += alpha*x[i]. The slices must have the same length.
func (v *Variant) Axpy(alpha float32, x, y []float32) {
	checkLen("Axpy", "x", "y", len(x), len(y))
	v.axpy(alpha, x, y)
}

// Scal computes x[i] *= alpha.
func (v *Variant) Scal(alpha float32, x []float32) { v.scal(alpha, x) }

// Add computes dst[i] = x[i] + y[i]. The slices must have the same length; dst may
// be x or y.
func (v *Variant) Add(dst, x, y []float32) {
	checkLen("Add", "dst", "x", len(dst), len(x))
	checkLen("Add", "dst", "y", len(dst), len(y))
	v.add(dst, x, y)
}

// Mul computes dst[i] = x[i] * y[i]. The slices must have the same length; dst may
// be x or y.
func (v *Variant) Mul(dst, x, y []float32) {
	checkLen("Mul", "dst", "x", len(dst), len(x))
	checkLen("Mul", "dst", "y", len(dst), len(y))
	v.mul(dst, x, y)
}

// Sum returns Σ x[i].
func (v *Variant) Sum(x []float32) float32 { return v.sum(x) }

// SumSq returns Σ x[i]².
func (v *Variant) SumSq(x []float32) float32 { return v.sumSq(x) }

// ReLU computes dst[i] = max(x[i], 0); NaN propagates. dst may be x.
func (v *Variant) ReLU(dst, x []float32) {
	checkLen("ReLU", "dst", "x", len(dst), len(x))
	v.relu(dst, x)
}

// ReLUBackward computes the gradient of ReLU: dx[i] = dy[i] where x[i] > 0, else 0.
// x is the ReLU's input (or its output: both are positive at the same places).
// dx may be dy.
func (v *Variant) ReLUBackward(dx, dy, x []float32) {
	checkLen("ReLUBackward", "dx", "dy", len(dx), len(dy))
	checkLen("ReLUBackward", "dx", "x", len(dx), len(x))
	v.reluBackward(dx, dy, x)
}

// Tanh computes dst[i] = tanh(x[i]) to float32 accuracy (within 2 ulp of
// the exact value); NaN propagates and tanh(±0) = ±0. dst may be x.
func (v *Variant) Tanh(dst, x []float32) {
	checkLen("Tanh", "dst", "x", len(dst), len(x))
	v.tanh(dst, x)
}

// Adam applies one Adam (or AdaBelief) step to param in place, updating the
// moment estimates m and v; all four slices must have the same length. See
// AdamStep.
func (v *Variant) Adam(param, grad, m, vel []float32, s AdamStep) {
	checkLen("Adam", "param", "grad", len(param), len(grad))
	checkLen("Adam", "param", "m", len(param), len(m))
	checkLen("Adam", "param", "v", len(param), len(vel))
	v.adam(param, grad, m, vel, s.Beta1, s.C1, s.Beta2, s.C2, s.StepSize, s.InvSqrtBias2, s.Eps, s.Belief, s.EpsRoot)
}

// Dot returns Σ x[i]*y[i] with the active variant.
func Dot(x, y []float32) float32 { return active.Dot(x, y) }

// Axpy computes y[i] += alpha*x[i] with the active variant.
func Axpy(alpha float32, x, y []float32) { active.Axpy(alpha, x, y) }

// Scal computes x[i] *= alpha with the active variant.
func Scal(alpha float32, x []float32) { active.Scal(alpha, x) }

// Add computes dst[i] = x[i] + y[i] with the active variant.
func Add(dst, x, y []float32) { active.Add(dst, x, y) }

// Mul computes dst[i] = x[i] * y[i] with the active variant.
func Mul(dst, x, y []float32) { active.Mul(dst, x, y) }

// Sum returns Σ x[i] with the active variant.
func Sum(x []float32) float32 { return active.Sum(x) }

// SumSq returns Σ x[i]² with the active variant.
func SumSq(x []float32) float32 { return active.SumSq(x) }

// ReLU computes dst[i] = max(x[i], 0) with the active variant.
func ReLU(dst, x []float32) { active.ReLU(dst, x) }

// ReLUBackward computes dx[i] = dy[i] where x[i] > 0, else 0, with the active variant.
func ReLUBackward(dx, dy, x []float32) { active.ReLUBackward(dx, dy, x) }

// Tanh computes dst[i] = tanh(x[i]) with the active variant.
func Tanh(dst, x []float32) { active.Tanh(dst, x) }

// Adam applies one Adam step with the active variant.
func Adam(param, grad, m, v []float32, s AdamStep) { active.Adam(param, grad, m, v, s) }
