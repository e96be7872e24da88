package kernels

import (
	"fmt"
	"math"
)

// AdamStep holds the scalars of Adam step t (Kingma & Ba, in PyTorch's form):
//
//	m = Beta1*m + (1-Beta1)*g
//	v = Beta2*v + (1-Beta2)*g²
//	param -= StepSize * m / (sqrt(v)*InvSqrtBias2 + Eps)
//
// where StepSize = lr/(1-Beta1^t) and InvSqrtBias2 = 1/sqrt(1-Beta2^t) carry the
// bias corrections. NewAdamStep computes them.
type AdamStep struct {
	Beta1, Beta2 float32
	StepSize     float32
	InvSqrtBias2 float32
	Eps          float32
}

// NewAdamStep returns the scalars of step t ≥ 1 for learning rate lr and
// hyper-parameters beta1, beta2 in [0, 1) and eps > 0. The bias corrections are
// computed in float64, as PyTorch does.
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
		StepSize:     float32(lr / bias1),
		InvSqrtBias2: float32(1 / math.Sqrt(bias2)),
		Eps:          float32(eps),
	}
}
