package layers

import "fmt"

// Optimizer updates parameters from their accumulated gradients.
//
// Step applies one update with the current learning rate; it neither reads
// nor clears anything but the gradients, so the training loop calls
// ZeroGrad before accumulating the next ones. SetLR changes the learning
// rate for the following steps (see Schedule for staged rates).
//
// State returns the optimizer's per-parameter state for checkpoints as
// tensors named "<param>.<buffer>" with PyTorch's buffer names
// ("0.weight.exp_avg", "0.weight.exp_avg_sq", "0.weight.momentum_buffer");
// their Grad is nil. The tensors are the live buffers: writing into them
// (and SetSteps) restores a checkpoint. Steps is the number of steps taken,
// PyTorch's "step" (one count for all parameters here). Reset clears the
// state, as a newly built optimizer.
type Optimizer interface {
	Step()
	ZeroGrad()
	SetLR(lr float64)
	LR() float64
	State() []*Param
	Steps() int
	SetSteps(n int)
	Reset()
}

// stateParams returns the named state tensors for params and the given
// buffers: for each parameter, each buffer in order.
func stateParams(params []*Param, names []string, bufs ...[]*Tensor) []*Param {
	var out []*Param
	for i, p := range params {
		for j, b := range bufs {
			out = append(out, &Param{Name: p.Name + "." + names[j], Value: b[i]})
		}
	}
	return out
}

// likeParams returns a zeroed tensor of each parameter's shape.
func likeParams(params []*Param) []*Tensor {
	out := make([]*Tensor, len(params))
	for i, p := range params {
		out[i] = NewTensor(p.Value.Shape...)
	}
	return out
}

// checkParams panics if a parameter's gradient does not match its value.
func checkParams(opt string, params []*Param) {
	for _, p := range params {
		if p.Grad == nil || !p.Grad.SameShape(p.Value) {
			panic(fmt.Sprintf("layers: %s: parameter %q has value %v and gradient %v", opt, p.Name, p.Value, p.Grad))
		}
	}
}
