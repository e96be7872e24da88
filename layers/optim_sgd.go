package layers

import (
	"fmt"

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
// The gradients are not modified.
type SGD struct {
	Params      []*Param
	Momentum    float64
	Nesterov    bool
	WeightDecay float64
	lr          float64
	buf         []*Tensor // momentum buffers
	t           int
	scratch     []float32
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

// Step applies one SGD update to every parameter.
func (s *SGD) Step() {
	if s.Nesterov && s.Momentum <= 0 {
		panic("layers: SGD: Nesterov momentum requires Momentum > 0")
	}
	first := s.t == 0
	s.t++
	lr, mom, wd := float32(s.lr), float32(s.Momentum), float32(s.WeightDecay)
	for i, p := range s.Params {
		d := p.Grad.Data
		if wd != 0 || (s.Nesterov && mom != 0) {
			if cap(s.scratch) < len(d) {
				s.scratch = make([]float32, len(d))
			}
			buf := s.scratch[:len(d)]
			copy(buf, d)
			if wd != 0 {
				kernels.Axpy(wd, p.Value.Data, buf)
			}
			d = buf
		}
		if mom != 0 {
			b := s.buf[i].Data
			if first {
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
		kernels.Axpy(-lr, d, p.Value.Data)
	}
}

// ZeroGrad sets the parameters' gradients to zero.
func (s *SGD) ZeroGrad() { ZeroGrad(s.Params) }

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
