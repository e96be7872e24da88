package layers

import (
	"fmt"
	"sync"

	"github.com/rankae/rankae/kernels"
)

// Adam is PyTorch's torch.optim.Adam, and AdamW with Decoupled set. At step
// t, for each parameter θ with gradient g:
//
//	g ← g + WeightDecay·θ                 (Adam: L2 penalty in the gradient)
//	θ ← θ·(1 − lr·WeightDecay)            (AdamW: decoupled decay instead)
//	m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
//	θ ← θ − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
//
// The last two lines are one fused pass of kernels.Adam; the bias
// corrections come from kernels.NewAdamStep, in float64 as in PyTorch. The
// gradients are not modified (the L2 term goes to a scratch buffer).
// amsgrad and maximize are not supported.
//
// With Belief set it is AdaBelief as optax computes it (the RRAE reference
// code's optimizer): v ← β₂v + (1 − β₂)(g − m)² + EpsRoot, with m the first
// moment before this step's update; see NewAdaBelief.
type Adam struct {
	Params            []*Param
	Beta1, Beta2, Eps float64
	WeightDecay       float64
	Decoupled         bool // AdamW
	Belief            bool // AdaBelief
	EpsRoot           float64
	lr                float64
	m, v              []*Tensor
	t                 int
	scratch           []float32

	step kernels.AdamStep // of the step under way
	wg   sync.WaitGroup
}

// NewAdam returns Adam with PyTorch's defaults: betas (0.9, 0.999),
// eps 1e-8, no weight decay.
func NewAdam(params []*Param, lr float64) *Adam {
	checkParams("NewAdam", params)
	return &Adam{
		Params: params, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, lr: lr,
		m: likeParams(params), v: likeParams(params),
	}
}

// NewAdamW returns AdamW with PyTorch's defaults: betas (0.9, 0.999),
// eps 1e-8, weight decay 0.01 (change the WeightDecay field to taste).
func NewAdamW(params []*Param, lr float64) *Adam {
	a := NewAdam(params, lr)
	a.WeightDecay, a.Decoupled = 0.01, true
	return a
}

// NewAdaBelief returns AdaBelief with optax's defaults: betas (0.9, 0.999),
// eps 1e-16, eps_root 1e-16, no weight decay.
func NewAdaBelief(params []*Param, lr float64) *Adam {
	a := NewAdam(params, lr)
	a.Belief, a.Eps, a.EpsRoot = true, 1e-16, 1e-16
	return a
}

// Step applies one Adam (or AdamW, AdaBelief) update to every parameter, on
// all cores (see eachParamRange).
func (a *Adam) Step() {
	a.t++
	if a.Belief {
		a.step = kernels.NewAdaBeliefStep(a.lr, a.Beta1, a.Beta2, a.Eps, a.EpsRoot, a.t)
	} else {
		a.step = kernels.NewAdamStep(a.lr, a.Beta1, a.Beta2, a.Eps, a.t)
	}
	n := paramsLen(a.Params)
	if a.WeightDecay != 0 && !a.Decoupled && cap(a.scratch) < n {
		a.scratch = make([]float32, n)
	}
	forElements(a, adamUpdate, n, &a.wg)
}

// The passes of Adam over the parameters end to end.
const (
	adamUpdate = iota
	adamZeroGrad
)

// runRange runs pass step over the elements [lo, hi) of the parameters end
// to end.
func (a *Adam) runRange(step, lo, hi int) {
	eachParamRange(a.Params, lo, hi, func(i, l, h, off int) {
		if step == adamZeroGrad {
			clear(a.Params[i].Grad.Data[l:h])
		} else {
			a.update(i, l, h, a.scratch[min(off+l, len(a.scratch)):])
		}
	})
}

// update applies the step to elements [lo, hi) of parameter i; scratch is
// the weight decay's room for them.
func (a *Adam) update(i, lo, hi int, scratch []float32) {
	p := a.Params[i]
	w, g := p.Value.Data[lo:hi], p.Grad.Data[lo:hi]
	switch {
	case a.WeightDecay == 0:
	case a.Decoupled:
		kernels.Scal(float32(1-a.lr*a.WeightDecay), w)
	default:
		buf := scratch[:hi-lo]
		copy(buf, g)
		kernels.Axpy(float32(a.WeightDecay), w, buf)
		g = buf
	}
	kernels.Adam(w, g, a.m[i].Data[lo:hi], a.v[i].Data[lo:hi], a.step)
}

// ZeroGrad sets the parameters' gradients to zero, on all cores.
func (a *Adam) ZeroGrad() { forElements(a, adamZeroGrad, paramsLen(a.Params), &a.wg) }

// SetLR sets the learning rate of the next steps.
func (a *Adam) SetLR(lr float64) { a.lr = lr }

// LR returns the learning rate.
func (a *Adam) LR() float64 { return a.lr }

// State returns "<param>.exp_avg" (m) and "<param>.exp_avg_sq" (v) for
// each parameter; AdaBelief's v is "<param>.exp_avg_var", as in the
// AdaBelief authors' PyTorch optimizer.
func (a *Adam) State() []*Param {
	second := "exp_avg_sq"
	if a.Belief {
		second = "exp_avg_var"
	}
	return stateParams(a.Params, []string{"exp_avg", second}, a.m, a.v)
}

// Steps returns the number of steps taken.
func (a *Adam) Steps() int { return a.t }

// SetSteps sets the step count, which the bias corrections depend on.
func (a *Adam) SetSteps(n int) {
	if n < 0 {
		panic(fmt.Sprintf("layers: Adam.SetSteps(%d): negative", n))
	}
	a.t = n
}

// Reset zeroes the moments and the step count.
func (a *Adam) Reset() {
	for i := range a.m {
		a.m[i].Zero()
		a.v[i].Zero()
	}
	a.t = 0
}
