package kernels

import (
	"fmt"
	"math"
)

// AdamStep holds the scalars of Adam step t (Kingma & Ba, in PyTorch's form):
//
//	m = Beta1*m + C1*g
//	v = Beta2*v + C2*g²
//	param -= StepSize * m / (sqrt(v)*InvSqrtBias2 + Eps)
//
// where C1 = 1-Beta1 and C2 = 1-Beta2, and StepSize = lr/(1-Beta1^t) and
// InvSqrtBias2 = 1/sqrt(1-Beta2^t) carry the bias corrections. NewAdamStep
// computes them.
type AdamStep struct {
	Beta1, Beta2 float32
	C1, C2       float32
	StepSize     float32
	InvSqrtBias2 float32
	Eps          float32
}

// NewAdamStep returns the scalars of step t ≥ 1 for learning rate lr and
// hyper-parameters beta1, beta2 in [0, 1) and eps > 0. 1-beta and the bias
// corrections are computed in float64 and then rounded, as PyTorch does: 1-beta2
// formed in float32 from float32(0.999) is off by 1.3e-5 relative, and the
// second moment with it.
func NewAdamStep(lr, beta1, beta2, eps float64, t int) AdamStep {
	if t < 1 {
		panic(fmt.Sprintf("kernels: NewAdamStep: step t = %d, want t ≥ 1", t))
	}
	if !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) {
		panic(fmt.Sprintf("kernels: NewAdamStep: betas (%v, %v) outside [0, 1)", beta1, beta2))
	}
	bias1 := 1 - math.Pow(beta1, float64(t))
	bias2 := 1 - math.Pow(beta2, float64(t))
	return AdamStep{
		Beta1:        float32(beta1),
		Beta2:        float32(beta2),
		C1:           float32(1 - beta1),
		C2:           float32(1 - beta2),
		StepSize:     float32(lr / bias1),
		InvSqrtBias2: float32(1 / math.Sqrt(bias2)),
		Eps:          float32(eps),
	}
}
