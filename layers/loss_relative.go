package layers

import (
	"fmt"
	"math"
)

// RelativeError is the RRAE papers' relative reconstruction error in
// percent. With the first dimension of pred and target the batch, sample i
// has the error
//
//	e_i = 100·‖x_i − x̂_i‖₂/‖x_i‖₂
//
// (x the target, x̂ the prediction, norms over all of the sample's elements),
// and the loss is their mean over the batch: the metric both papers report
// ("relative error in %", rrae.txt §6 and Tables 1 and 5).
//
// With Batch set, it is instead the error of the batch as one matrix,
// 100·‖X − X̂‖_F/‖X‖_F: a scaled form of the training loss ‖X − X̃‖₂ of
// rrae.txt eq. (2), which weights samples by their norm rather than
// equally.
//
// A sample (or batch) whose target is all zeros has no relative error; its
// error is taken as absolute, 100·‖x_i − x̂_i‖₂ (the denominator replaced by
// 1), so that the loss and its gradient stay finite. Where x̂_i = x_i the
// gradient is 0 (the norm's subgradient).
type RelativeError struct {
	Batch bool

	grad Tensor
}

// NewRelativeError returns the per-sample mean relative error in percent.
func NewRelativeError() *RelativeError { return &RelativeError{} }

// Forward returns the mean over samples of 100·‖x_i − x̂_i‖/‖x_i‖ (or the
// batch error when Batch is set), for pred x̂ and target x.
func (l *RelativeError) Forward(pred, target *Tensor) float32 {
	checkPair("RelativeError", pred, target)
	if len(pred.Shape) < 1 {
		panic(fmt.Sprintf("layers: RelativeError.Forward: shape %v has no batch dimension", pred.Shape))
	}
	g := l.grad.Resize(pred.Shape...)
	rows, size := pred.Shape[0], shapeLen(pred.Shape[1:])
	if l.Batch {
		rows, size = 1, len(pred.Data)
	}
	if rows == 0 {
		return float32(math.NaN())
	}
	var total float64
	for r := 0; r < rows; r++ {
		p := pred.Data[r*size : (r+1)*size]
		x := target.Data[r*size : (r+1)*size]
		gr := g.Data[r*size : (r+1)*size]
		var dd, xx float64
		for i := range p {
			d := float64(p[i]) - float64(x[i])
			dd += d * d
			xx += float64(x[i]) * float64(x[i])
		}
		nx := math.Sqrt(xx)
		if nx == 0 {
			nx = 1
		}
		nd := math.Sqrt(dd)
		total += 100 * nd / nx
		// d e_r/d x̂ = 100·(x̂ − x)/(‖x̂ − x‖·‖x‖), over rows for the mean.
		scale := 0.0
		if nd > 0 {
			scale = 100 / (nd * nx * float64(rows))
		}
		for i := range p {
			gr[i] = float32((float64(p[i]) - float64(x[i])) * scale)
		}
	}
	return float32(total / float64(rows))
}

// Backward returns dL/dpred.
func (l *RelativeError) Backward() *Tensor { return gradOf("RelativeError", &l.grad) }
