package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/rankae/rankae/kernels"
	"github.com/rankae/rankae/linalg"
)

// Linear is PyTorch's nn.Linear: y = x·Wᵀ + b for a batch x of shape
// [B, In], with weight W of shape [Out, In] and bias b of shape [Out] (nil
// without bias). The products run on linalg.Sgemm, which spreads them over
// the cores.
type Linear struct {
	In, Out int
	Weight  *Param // "weight", [Out, In]
	Bias    *Param // "bias", [Out]; nil for a layer without bias

	// SkipInputGrad, when set, makes Backward skip dL/dx and return nil: for
	// the first layer of a network, whose input needs no gradient.
	SkipInputGrad bool

	x     *Tensor // input of the last Forward
	y, dx Tensor
}

// NewLinear returns a Linear layer with bias, initialised as PyTorch does:
// weight then bias, each from U(±1/√in), drawn from rng.
func NewLinear(in, out int, rng *rand.Rand) *Linear {
	l := newLinear(in, out, true)
	l.Reset(rng)
	return l
}

// NewLinearNoBias returns a Linear layer without bias (PyTorch's bias=False),
// its weight drawn from U(±1/√in) with rng. IRMAE's extra layers are of this
// kind.
func NewLinearNoBias(in, out int, rng *rand.Rand) *Linear {
	l := newLinear(in, out, false)
	l.Reset(rng)
	return l
}

func newLinear(in, out int, bias bool) *Linear {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("layers: Linear(%d, %d): sizes must be positive", in, out))
	}
	l := &Linear{In: in, Out: out, Weight: NewParam("weight", out, in)}
	if bias {
		l.Bias = NewParam("bias", out)
	}
	return l
}

// Reset draws the parameters again from PyTorch's default law: weight, then
// bias, from U(±1/√In).
func (l *Linear) Reset(rng *rand.Rand) {
	b := DefaultBound(l.In)
	InitUniform(l.Weight.Value, b, rng)
	if l.Bias != nil {
		InitUniform(l.Bias.Value, b, rng)
	}
}

// Forward returns x·Wᵀ + b for x of shape [B, In]; the result has shape
// [B, Out].
func (l *Linear) Forward(x *Tensor) *Tensor {
	if len(x.Shape) != 2 || x.Shape[1] != l.In {
		panic(fmt.Sprintf("layers: Linear(%d, %d).Forward: input shape %v, want [B %d]", l.In, l.Out, x.Shape, l.In))
	}
	checkNCHW("Linear", x)
	l.x = x
	batch := x.Shape[0]
	y := l.y.Resize(batch, l.Out)
	beta := float32(0)
	if l.Bias != nil {
		b := l.Bias.Value.Data
		for i := 0; i < batch; i++ {
			copy(y.Data[i*l.Out:(i+1)*l.Out], b)
		}
		beta = 1
	}
	linalg.Sgemm(false, true, batch, l.Out, l.In, 1, x.Data, l.In, l.Weight.Value.Data, l.In, beta, y.Data, l.Out)
	return y
}

// Backward adds dyᵀ·x to the weight's gradient and the column sums of dy to
// the bias's, and returns dL/dx = dy·W (nil when SkipInputGrad is set).
func (l *Linear) Backward(dy *Tensor) *Tensor {
	if l.x == nil {
		panic(fmt.Sprintf("layers: Linear(%d, %d).Backward before Forward", l.In, l.Out))
	}
	batch := l.x.Shape[0]
	if len(dy.Shape) != 2 || dy.Shape[0] != batch || dy.Shape[1] != l.Out {
		panic(fmt.Sprintf("layers: Linear(%d, %d).Backward: gradient shape %v, want [%d %d]", l.In, l.Out, dy.Shape, batch, l.Out))
	}
	linalg.Sgemm(true, false, l.Out, l.In, batch, 1, dy.Data, l.Out, l.x.Data, l.In, 1, l.Weight.Grad.Data, l.In)
	if l.Bias != nil {
		db := l.Bias.Grad.Data
		for i := 0; i < batch; i++ {
			kernels.Axpy(1, dy.Data[i*l.Out:(i+1)*l.Out], db)
		}
	}
	if l.SkipInputGrad {
		return nil
	}
	dx := l.dx.Resize(batch, l.In)
	linalg.Sgemm(false, false, batch, l.In, l.Out, 1, dy.Data, l.Out, l.Weight.Value.Data, l.In, 0, dx.Data, l.In)
	return dx
}

// Params returns the weight and, if the layer has one, the bias.
func (l *Linear) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Weight}
	}
	return []*Param{l.Weight, l.Bias}
}

// String describes the layer as PyTorch prints it.
func (l *Linear) String() string {
	return fmt.Sprintf("Linear(in_features=%d, out_features=%d, bias=%v)", l.In, l.Out, l.Bias != nil)
}
