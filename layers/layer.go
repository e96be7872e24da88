package layers

// Layer is one differentiable step of a network with explicit forward and
// backward passes.
//
// Forward returns the output for the batch x. The returned tensor belongs to
// the layer and is overwritten by its next Forward; the layer keeps what its
// Backward needs (x itself, or its own output), so the caller must not modify
// x until Backward has run.
//
// Backward takes dL/dy for the most recent Forward, adds dL/dθ into the Grad
// of each parameter (gradients accumulate until ZeroGrad) and returns dL/dx,
// which also belongs to the layer.
//
// Params returns the trainable parameters, named relative to the layer as in
// PyTorch's state_dict ("weight", "bias"); containers prefix the names of
// their children ("0.weight").
type Layer interface {
	Forward(x *Tensor) *Tensor
	Backward(dy *Tensor) *Tensor
	Params() []*Param
}

// Param is a trainable tensor with its gradient, which has the same shape.
type Param struct {
	Name  string
	Value *Tensor
	Grad  *Tensor
}

// NewParam returns a zeroed parameter and gradient of the given shape.
func NewParam(name string, shape ...int) *Param {
	return &Param{Name: name, Value: NewTensor(shape...), Grad: NewTensor(shape...)}
}

// ZeroGrad sets the gradients of params to zero.
func ZeroGrad(params []*Param) {
	for _, p := range params {
		p.Grad.Zero()
	}
}

// eachParamRange calls f(i, lo, hi, off) for every parameter i that meets
// the elements [from, to) of params end to end: [lo, hi) is the part of it
// they cover and off its first element's place end to end. An optimizer's
// passes are split over the cores this way, as one long vector, so that a
// step hands work to the other cores once rather than once per parameter.
func eachParamRange(params []*Param, from, to int, f func(i, lo, hi, off int)) {
	off := 0
	for i, p := range params {
		n := p.Value.Len()
		if lo, hi := max(from-off, 0), min(to-off, n); lo < hi {
			f(i, lo, hi, off)
		}
		off += n
		if off >= to {
			return
		}
	}
}

// paramsLen returns the number of values in params.
func paramsLen(params []*Param) int {
	n := 0
	for _, p := range params {
		n += p.Value.Len()
	}
	return n
}

// PrefixParams returns params with prefix+"." prepended to their names, as
// containers report their children's parameters. The Value and Grad tensors
// are shared, not copied.
func PrefixParams(prefix string, params []*Param) []*Param {
	out := make([]*Param, len(params))
	for i, p := range params {
		out[i] = &Param{Name: prefix + "." + p.Name, Value: p.Value, Grad: p.Grad}
	}
	return out
}
