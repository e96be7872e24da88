package kernels

import (
	"fmt"
	"math"
)

// AdamStep holds the scalars of Adam step t (Kingma & Ba, in PyTorch's form),
// or of AdaBelief (Zhuang et al. 2020, in optax's form) when Belief = 1:
//
//	d = g - Belief*m                     (m before this step's update)
//	m = Beta1*m + C1*g
//	v = Beta2*v + C2*d² + EpsRoot
//	param -= StepSize * m / (sqrt(v)*InvSqrtBias2 + Eps)
//
// where C1 = 1-Beta1 and C2 = 1-Beta2, and StepSize = lr/(1-Beta1^t) and
// InvSqrtBias2 = 1/sqrt(1-Beta2^t) carry the bias corrections. Adam has
// Belief = EpsRoot = 0, and its v is then exactly Beta2*v + C2*g²; AdaBelief's
// v tracks the squared deviation of g from its prediction m instead, so its
// steps are long where the gradient is consistent. NewAdamStep and
// NewAdaBeliefStep compute them. One kernel serves both: the two extra
// scalars cost two instructions in a pass bound by memory.
type AdamStep struct {
	Beta1, Beta2 float32
	C1, C2       float32
	StepSize     float32
	InvSqrtBias2 float32
	Eps          float32
	Belief       float32 // 0: Adam; 1: AdaBelief
	EpsRoot      float32 // added to v (AdaBelief)
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

// NewAdaBeliefStep returns the scalars of AdaBelief step t ≥ 1 as optax's
// adabelief computes it (the RRAE reference code's default optimizer): the
// moments of NewAdamStep with Belief = 1, and epsRoot ≥ 0 added to v.
func NewAdaBeliefStep(lr, beta1, beta2, eps, epsRoot float64, t int) AdamStep {
	if !(epsRoot >= 0) {
		panic(fmt.Sprintf("kernels: NewAdaBeliefStep: epsRoot = %v < 0", epsRoot))
	}
	s := NewAdamStep(lr, beta1, beta2, eps, t)
	s.Belief, s.EpsRoot = 1, float32(epsRoot)
	return s
}
