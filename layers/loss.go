package layers

import (
	"fmt"
	"math"
)

// Loss is a scalar training objective of a prediction and a target of the
// same shape. Forward returns its value and keeps what Backward needs;
// Backward returns dL/dpred for the last Forward, a tensor that belongs to
// the loss and is overwritten by its next Forward. Sums run in float64.
type Loss interface {
	Forward(pred, target *Tensor) float32
	Backward() *Tensor
}

// checkPair panics unless pred and target have the same shape.
func checkPair(loss string, pred, target *Tensor) {
	checkNCHW(loss, pred)
	checkNCHW(loss, target)
	if !pred.SameShape(target) {
		panic(fmt.Sprintf("layers: %s.Forward: prediction shape %v != target shape %v", loss, pred.Shape, target.Shape))
	}
}

// gradOf returns g once a Forward has run, for Backward.
func gradOf(loss string, g *Tensor) *Tensor {
	if g.Shape == nil {
		panic(fmt.Sprintf("layers: %s.Backward before Forward", loss))
	}
	return g
}

// MSE is the mean squared error over all elements, PyTorch's nn.MSELoss
// with reduction "mean": L = Σ(p − t)²/n.
type MSE struct {
	grad Tensor
}

// NewMSE returns a mean-squared-error loss.
func NewMSE() *MSE { return &MSE{} }

// Forward returns Σ(pred − target)²/n.
func (l *MSE) Forward(pred, target *Tensor) float32 {
	checkPair("MSE", pred, target)
	g := l.grad.Resize(pred.Shape...)
	n := len(pred.Data)
	if n == 0 {
		return float32(math.NaN()) // PyTorch's mean of nothing
	}
	scale := float32(2 / float64(n))
	var s float64
	for i, p := range pred.Data {
		d := p - target.Data[i]
		s += float64(d) * float64(d)
		g.Data[i] = scale * d
	}
	return float32(s / float64(n))
}

// Backward returns dL/dpred = 2(pred − target)/n.
func (l *MSE) Backward() *Tensor { return gradOf("MSE", &l.grad) }

// BCEWithLogits is the binary cross-entropy of σ(pred) against targets in
// [0, 1], mean over all elements, computed from the logits without overflow
// as PyTorch's nn.BCEWithLogitsLoss: ℓ = (1 − t)·x − log σ(x), with
// −log σ(x) = max(−x, 0) + log(1 + e^(−|x|)).
type BCEWithLogits struct {
	grad Tensor
}

// NewBCEWithLogits returns a binary cross-entropy loss on logits.
func NewBCEWithLogits() *BCEWithLogits { return &BCEWithLogits{} }

// Forward returns the mean of (1 − t)·x − log σ(x) over all elements.
func (l *BCEWithLogits) Forward(pred, target *Tensor) float32 {
	checkPair("BCEWithLogits", pred, target)
	g := l.grad.Resize(pred.Shape...)
	n := len(pred.Data)
	if n == 0 {
		return float32(math.NaN())
	}
	inv := 1 / float64(n)
	var s float64
	for i, p := range pred.Data {
		x, t := float64(p), float64(target.Data[i])
		s += (1-t)*x + max(-x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
		g.Data[i] = float32((sigmoid64(x) - t) * inv)
	}
	return float32(s * inv)
}

// Backward returns dL/dpred = (σ(pred) − target)/n.
func (l *BCEWithLogits) Backward() *Tensor { return gradOf("BCEWithLogits", &l.grad) }

// BCE is the binary cross-entropy of probabilities pred in [0, 1] against
// targets, mean over all elements, as PyTorch's nn.BCELoss: each log is
// clamped at −100, and the gradient's denominator p(1 − p) at 1e-12.
// Prefer BCEWithLogits after a Sigmoid layer: it is exact where this clamps.
type BCE struct {
	grad Tensor
}

// NewBCE returns a binary cross-entropy loss on probabilities.
func NewBCE() *BCE { return &BCE{} }

// Forward returns the mean of −(t·log p + (1 − t)·log(1 − p)).
func (l *BCE) Forward(pred, target *Tensor) float32 {
	checkPair("BCE", pred, target)
	g := l.grad.Resize(pred.Shape...)
	n := len(pred.Data)
	if n == 0 {
		return float32(math.NaN())
	}
	inv := 1 / float64(n)
	var s float64
	for i, q := range pred.Data {
		p, t := float64(q), float64(target.Data[i])
		s -= t*max(math.Log(p), -100) + (1-t)*max(math.Log1p(-p), -100)
		g.Data[i] = float32((p - t) / max(p*(1-p), 1e-12) * inv)
	}
	return float32(s * inv)
}

// Backward returns dL/dpred = (p − t)/max(p(1 − p), 1e-12)/n.
func (l *BCE) Backward() *Tensor { return gradOf("BCE", &l.grad) }
