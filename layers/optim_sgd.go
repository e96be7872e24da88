package layers

import (
	"fmt"
	"sync"

	"github.com/rankae/rankae/kernels"
)

// SGD is PyTorch's torch.optim.SGD with dampening 0. For each parameter θ
// with gradient g:
//
//	d ← g + WeightDecay·θ
//	b ← d at the first step, b ← Momentum·b + d after   (when Momentum ≠ 0)
//	d ← d + Momentum·b with Nesterov, d ← b without      (when Momentum ≠ 0)
//	θ ← θ − lr·d
//
// The gradients are not modified (d goes to a scratch buffer when it is not
// g or b).
type SGD struct {
	Params      []*Param
	Momentum    float64
	Nesterov    bool
	WeightDecay float64
	lr          float64
	buf         []*Tensor // momentum buffers
	t           int
	scratch     []float32

	first bool // the step under way initialises the momentum buffers
	wg    sync.WaitGroup
}

// NewSGD returns plain SGD (momentum 0) with learning rate lr.
func NewSGD(params []*Param, lr float64) *SGD {
	checkParams("NewSGD", params)
	return &SGD{Params: params, lr: lr, buf: likeParams(params)}
}

// NewSGDMomentum returns SGD with momentum (heavy ball, or Nesterov's).
func NewSGDMomentum(params []*Param, lr, momentum float64, nesterov bool) *SGD {
	s := NewSGD(params, lr)
	s.Momentum, s.Nesterov = momentum, nesterov
	return s
}

// The passes of SGD over the parameters end to end.
const (
	sgdUpdate = iota
	sgdZeroGrad
)

// Step applies one SGD update to every parameter, on all cores (see
// eachParamRange).
func (s *SGD) Step() {
	if s.Nesterov && s.Momentum <= 0 {
		panic("layers: SGD: Nesterov momentum requires Momentum > 0")
	}
	s.first = s.t == 0
	s.t++
	n := paramsLen(s.Params)
	if s.needsScratch() && cap(s.scratch) < n {
		s.scratch = make([]float32, n)
	}
	forElements(s, sgdUpdate, n, &s.wg)
}

// needsScratch says whether d is a copy of the gradient: with weight decay,
// or with Nesterov momentum, which adds to it.
func (s *SGD) needsScratch() bool { return s.WeightDecay != 0 || s.Nesterov }

// runRange runs pass step over the elements [lo, hi) of the parameters end
// to end.
func (s *SGD) runRange(step, lo, hi int) {
	eachParamRange(s.Params, lo, hi, func(i, l, h, off int) {
		if step == sgdZeroGrad {
			clear(s.Params[i].Grad.Data[l:h])
		} else {
			s.update(i, l, h, off)
		}
	})
}

// update applies the step to elements [lo, hi) of parameter i, whose first
// element is element off of the parameters end to end.
func (s *SGD) update(i, lo, hi, off int) {
	lr, mom, wd := float32(s.lr), float32(s.Momentum), float32(s.WeightDecay)
	p := s.Params[i]
	w, d := p.Value.Data[lo:hi], p.Grad.Data[lo:hi]
	if s.needsScratch() {
		buf := s.scratch[off+lo : off+hi]
		copy(buf, d)
		if wd != 0 {
			kernels.Axpy(wd, w, buf)
		}
		d = buf
	}
	if mom != 0 {
		b := s.buf[i].Data[lo:hi]
		if s.first {
			copy(b, d)
		} else {
			kernels.Scal(mom, b)
			kernels.Add(b, b, d)
		}
		if s.Nesterov {
			kernels.Axpy(mom, b, d) // d is the scratch copy
		} else {
			d = b
		}
	}
	kernels.Axpy(-lr, d, w)
}

// ZeroGrad sets the parameters' gradients to zero, on all cores.
func (s *SGD) ZeroGrad() { forElements(s, sgdZeroGrad, paramsLen(s.Params), &s.wg) }

// SetLR sets the learning rate of the next steps.
func (s *SGD) SetLR(lr float64) { s.lr = lr }

// LR returns the learning rate.
func (s *SGD) LR() float64 { return s.lr }

// State returns "<param>.momentum_buffer" for each parameter (zeros when
// Momentum is 0).
func (s *SGD) State() []*Param {
	return stateParams(s.Params, []string{"momentum_buffer"}, s.buf)
}

// Steps returns the number of steps taken.
func (s *SGD) Steps() int { return s.t }

// SetSteps sets the step count; a count of 0 makes the next step
// initialise the momentum buffers.
func (s *SGD) SetSteps(n int) {
	if n < 0 {
		panic(fmt.Sprintf("layers: SGD.SetSteps(%d): negative", n))
	}
	s.t = n
}

// Reset zeroes the momentum buffers and the step count.
func (s *SGD) Reset() {
	for _, b := range s.buf {
		b.Zero()
	}
	s.t = 0
}
