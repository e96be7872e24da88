package layers

import (
	"fmt"
	"math"
	"sync"

	"github.com/rankae/rankae/kernels"
)

// The element-wise activations. Each works on a tensor of any shape, returns
// an output of the same shape that it owns, and keeps what its Backward
// needs: its own output where the derivative is a function of it (ReLU,
// Sigmoid, Tanh), its input otherwise (LeakyReLU, Softplus). None has
// parameters. The transcendental ones are computed in float64 and rounded,
// so they agree with PyTorch's float32 results to a few ulps, and run on
// all cores for large tensors (forElements).

// checkGrad panics unless dy has the shape of the cached tensor ref.
func checkGrad(layer string, ref, dy *Tensor) {
	if ref == nil {
		panic(fmt.Sprintf("layers: %s.Backward before Forward", layer))
	}
	if !dy.SameShape(ref) {
		panic(fmt.Sprintf("layers: %s.Backward: gradient shape %v, want the forward shape %v", layer, dy.Shape, ref.Shape))
	}
	if dy.batchInner != ref.batchInner {
		panic(fmt.Sprintf("layers: %s.Backward: gradient not in the forward pass's layout", layer))
	}
}

// cachedOutput returns y once a Forward has run (cached), else nil, for
// checkGrad.
func cachedOutput(cached bool, y *Tensor) *Tensor {
	if !cached {
		return nil
	}
	return y
}

// ReLU is max(x, 0) on the kernels' SIMD ReLU.
type ReLU struct {
	y, dx  Tensor
	cached bool
}

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU { return &ReLU{} }

// Forward returns max(x, 0).
func (a *ReLU) Forward(x *Tensor) *Tensor {
	y := a.y.resizeLike(x)
	kernels.ReLU(y.Data, x.Data)
	a.cached = true
	return y
}

// Backward returns dy where the output is positive and 0 elsewhere.
func (a *ReLU) Backward(dy *Tensor) *Tensor {
	checkGrad("ReLU", cachedOutput(a.cached, &a.y), dy)
	dx := a.dx.resizeLike(dy)
	kernels.ReLUBackward(dx.Data, dy.Data, a.y.Data)
	return dx
}

// Params returns nil: ReLU has no parameters.
func (a *ReLU) Params() []*Param { return nil }

// String describes the layer as PyTorch prints it.
func (a *ReLU) String() string { return "ReLU()" }

// LeakyReLU is x for x > 0 and Slope·x elsewhere (PyTorch's negative_slope,
// 0.01 by default). Both passes are compositions of the kernels' SIMD ReLU,
// copy and Axpy that are exact: y = relu(x) + Slope·(x − relu(x)), where
// one of the two terms is 0 and x − relu(x) is min(x, 0) without rounding.
type LeakyReLU struct {
	Slope        float32
	x            *Tensor
	y, dx, spare Tensor
}

// NewLeakyReLU returns a LeakyReLU layer with the given negative slope.
func NewLeakyReLU(slope float32) *LeakyReLU { return &LeakyReLU{Slope: slope} }

// Forward returns x where x > 0 and Slope·x elsewhere.
func (a *LeakyReLU) Forward(x *Tensor) *Tensor {
	a.x = x
	y := a.y.resizeLike(x)
	neg := a.spare.Resize(x.Shape...)
	kernels.ReLU(y.Data, x.Data)
	copy(neg.Data, x.Data)
	kernels.Axpy(-1, y.Data, neg.Data) // min(x, 0)
	kernels.Axpy(a.Slope, neg.Data, y.Data)
	return y
}

// Backward returns dy where the input was positive and Slope·dy elsewhere.
func (a *LeakyReLU) Backward(dy *Tensor) *Tensor {
	checkGrad("LeakyReLU", a.x, dy)
	dx := a.dx.resizeLike(dy)
	rest := a.spare.Resize(dy.Shape...)
	kernels.ReLUBackward(dx.Data, dy.Data, a.x.Data)
	copy(rest.Data, dy.Data)
	kernels.Axpy(-1, dx.Data, rest.Data) // dy where x ≤ 0, else 0
	kernels.Axpy(a.Slope, rest.Data, dx.Data)
	return dx
}

// Params returns nil: LeakyReLU has no parameters.
func (a *LeakyReLU) Params() []*Param { return nil }

// String describes the layer as PyTorch prints it.
func (a *LeakyReLU) String() string { return fmt.Sprintf("LeakyReLU(negative_slope=%g)", a.Slope) }

// Sigmoid is 1/(1+e^(−x)), computed without overflow for any x.
type Sigmoid struct {
	x, dy  *Tensor // the operands of the pass under way
	y, dx  Tensor
	cached bool
	wg     sync.WaitGroup
}

// NewSigmoid returns a Sigmoid layer.
func NewSigmoid() *Sigmoid { return &Sigmoid{} }

// sigmoid64 is σ(x) evaluated so that e^t never overflows: e^(−|x|) ≤ 1.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Forward returns σ(x).
func (a *Sigmoid) Forward(x *Tensor) *Tensor {
	a.y.resizeLike(x)
	a.x = x
	forElements(a, passForward, len(x.Data), &a.wg)
	a.x, a.cached = nil, true
	return &a.y
}

// Backward returns dy·σ(x)·(1−σ(x)), from the cached output.
func (a *Sigmoid) Backward(dy *Tensor) *Tensor {
	checkGrad("Sigmoid", cachedOutput(a.cached, &a.y), dy)
	a.dx.resizeLike(dy)
	a.dy = dy
	forElements(a, passBackward, len(dy.Data), &a.wg)
	a.dy = nil
	return &a.dx
}

func (a *Sigmoid) runRange(pass, lo, hi int) {
	if pass == passForward {
		x, y := a.x.Data[lo:hi], a.y.Data[lo:hi]
		for i, v := range x {
			y[i] = float32(sigmoid64(float64(v)))
		}
		return
	}
	y, dy, dx := a.y.Data[lo:hi], a.dy.Data[lo:hi], a.dx.Data[lo:hi]
	for i, s := range y {
		dx[i] = dy[i] * (1 - s) * s
	}
}

// Params returns nil: Sigmoid has no parameters.
func (a *Sigmoid) Params() []*Param { return nil }

// String describes the layer as PyTorch prints it.
func (a *Sigmoid) String() string { return "Sigmoid()" }

// Tanh is the hyperbolic tangent.
type Tanh struct {
	x, dy  *Tensor
	y, dx  Tensor
	cached bool
	wg     sync.WaitGroup
}

// NewTanh returns a Tanh layer.
func NewTanh() *Tanh { return &Tanh{} }

// Forward returns tanh(x).
func (a *Tanh) Forward(x *Tensor) *Tensor {
	a.y.resizeLike(x)
	a.x = x
	forElements(a, passForward, len(x.Data), &a.wg)
	a.x, a.cached = nil, true
	return &a.y
}

// Backward returns dy·(1 − tanh²(x)), from the cached output.
func (a *Tanh) Backward(dy *Tensor) *Tensor {
	checkGrad("Tanh", cachedOutput(a.cached, &a.y), dy)
	a.dx.resizeLike(dy)
	a.dy = dy
	forElements(a, passBackward, len(dy.Data), &a.wg)
	a.dy = nil
	return &a.dx
}

func (a *Tanh) runRange(pass, lo, hi int) {
	if pass == passForward {
		kernels.Tanh(a.y.Data[lo:hi], a.x.Data[lo:hi])
		return
	}
	y, dy, dx := a.y.Data[lo:hi], a.dy.Data[lo:hi], a.dx.Data[lo:hi]
	for i, t := range y {
		dx[i] = dy[i] * (1 - t*t)
	}
}

// Params returns nil: Tanh has no parameters.
func (a *Tanh) Params() []*Param { return nil }

// String describes the layer as PyTorch prints it.
func (a *Tanh) String() string { return "Tanh()" }

// Softplus is log(1 + e^(Beta·x))/Beta, and x itself where Beta·x >
// Threshold, as PyTorch's nn.Softplus (defaults Beta 1, Threshold 20).
type Softplus struct {
	Beta, Threshold float32
	x, dy           *Tensor
	y, dx           Tensor
	wg              sync.WaitGroup
}

// NewSoftplus returns a Softplus layer with PyTorch's defaults, beta = 1 and
// threshold = 20.
func NewSoftplus() *Softplus { return &Softplus{Beta: 1, Threshold: 20} }

// Forward returns softplus(x).
func (a *Softplus) Forward(x *Tensor) *Tensor {
	a.x = x
	a.y.resizeLike(x)
	forElements(a, passForward, len(x.Data), &a.wg)
	return &a.y
}

// Backward returns dy·σ(Beta·x), and dy where Beta·x > Threshold.
func (a *Softplus) Backward(dy *Tensor) *Tensor {
	checkGrad("Softplus", a.x, dy)
	a.dx.resizeLike(dy)
	a.dy = dy
	forElements(a, passBackward, len(dy.Data), &a.wg)
	a.dy = nil
	return &a.dx
}

func (a *Softplus) runRange(pass, lo, hi int) {
	beta, thr := float64(a.Beta), float64(a.Threshold)
	x := a.x.Data[lo:hi]
	if pass == passForward {
		y := a.y.Data[lo:hi]
		for i, v := range x {
			z := float64(v) * beta
			if z > thr {
				y[i] = v
			} else {
				y[i] = float32(math.Log1p(math.Exp(z)) / beta)
			}
		}
		return
	}
	dy, dx := a.dy.Data[lo:hi], a.dx.Data[lo:hi]
	for i, v := range x {
		z := float64(v) * beta
		if z > thr {
			dx[i] = dy[i]
		} else {
			dx[i] = float32(float64(dy[i]) * sigmoid64(z))
		}
	}
}

// Params returns nil: Softplus has no parameters.
func (a *Softplus) Params() []*Param { return nil }

// String describes the layer as PyTorch prints it.
func (a *Softplus) String() string {
	return fmt.Sprintf("Softplus(beta=%g, threshold=%g)", a.Beta, a.Threshold)
}

func (a *ReLU) elementwise() {}

func (a *LeakyReLU) elementwise() {}

func (a *Sigmoid) elementwise() {}

func (a *Tanh) elementwise() {}

func (a *Softplus) elementwise() {}
