package data

import (
	"fmt"
	"math"
)

// Dataset holds N images of C channels, H rows and W columns as float32 in one
// flat NCHW slice: sample i is X[i*C*H*W : (i+1)*C*H*W], and inside a sample
// channel c, row y, column x is at c*H*W + y*W + x.
//
// Labels (one per sample) and Params (NumParams generating parameters per
// sample, such as a bump's centre) are present only when the source has
// them; they are nil otherwise.
type Dataset struct {
	X          []float32
	N, C, H, W int

	Labels []int

	Params    []float32
	NumParams int
}

// NewDataset returns a zeroed dataset of n samples of shape (c, h, w), with no
// labels or parameters. It panics on a negative size.
func NewDataset(n, c, h, w int) *Dataset {
	if n < 0 || c < 0 || h < 0 || w < 0 {
		panic(fmt.Sprintf("data: NewDataset: negative size (%d, %d, %d, %d)", n, c, h, w))
	}
	return &Dataset{X: make([]float32, n*c*h*w), N: n, C: c, H: h, W: w}
}

// Shape returns (N, C, H, W).
func (d *Dataset) Shape() [4]int { return [4]int{d.N, d.C, d.H, d.W} }

// SampleLen returns the number of values in one sample, C*H*W.
func (d *Dataset) SampleLen() int { return d.C * d.H * d.W }

// Sample returns sample i; the slice aliases X.
func (d *Dataset) Sample(i int) []float32 {
	m := d.SampleLen()
	return d.X[i*m : (i+1)*m : (i+1)*m]
}

// Param returns the generating parameters of sample i (aliasing Params), or
// nil when the dataset has none.
func (d *Dataset) Param(i int) []float32 {
	if d.NumParams == 0 || d.Params == nil {
		return nil
	}
	p := d.NumParams
	return d.Params[i*p : (i+1)*p : (i+1)*p]
}

// Validate reports whether the slices' lengths agree with the sizes.
func (d *Dataset) Validate() error {
	if d.N < 0 || d.C < 0 || d.H < 0 || d.W < 0 {
		return fmt.Errorf("data: negative size %v", d.Shape())
	}
	if len(d.X) != d.N*d.SampleLen() {
		return fmt.Errorf("data: %d values for shape %v (want %d)", len(d.X), d.Shape(), d.N*d.SampleLen())
	}
	if d.Labels != nil && len(d.Labels) != d.N {
		return fmt.Errorf("data: %d labels for %d samples", len(d.Labels), d.N)
	}
	if d.Params != nil && len(d.Params) != d.N*d.NumParams {
		return fmt.Errorf("data: %d parameters for %d samples of %d", len(d.Params), d.N, d.NumParams)
	}
	return nil
}

// Subset returns a new dataset holding copies of the samples idx, in that
// order (indices may repeat), with their labels and parameters.
func (d *Dataset) Subset(idx []int) *Dataset {
	s := NewDataset(len(idx), d.C, d.H, d.W)
	d.Gather(s.X, idx)
	if d.Labels != nil {
		s.Labels = make([]int, len(idx))
		d.GatherLabels(s.Labels, idx)
	}
	if d.Params != nil && d.NumParams > 0 {
		s.NumParams = d.NumParams
		s.Params = make([]float32, 0, len(idx)*d.NumParams)
		for _, i := range idx {
			s.Params = append(s.Params, d.Param(i)...)
		}
	}
	return s
}

// Clone returns a deep copy of d.
func (d *Dataset) Clone() *Dataset {
	c := *d
	c.X = append([]float32(nil), d.X...)
	if d.Labels != nil {
		c.Labels = append([]int(nil), d.Labels...)
	}
	if d.Params != nil {
		c.Params = append([]float32(nil), d.Params...)
	}
	return &c
}

// Gather copies the samples idx, in order, into dst (a batch in NCHW with
// N = len(idx)) and returns dst[:len(idx)*SampleLen()]. It allocates
// nothing; it panics when dst is too short or an index is out of range.
func (d *Dataset) Gather(dst []float32, idx []int) []float32 {
	m := d.SampleLen()
	if len(dst) < len(idx)*m {
		panic(fmt.Sprintf("data: Gather: dst holds %d values, %d samples need %d", len(dst), len(idx), len(idx)*m))
	}
	for k, i := range idx {
		copy(dst[k*m:(k+1)*m], d.X[i*m:(i+1)*m])
	}
	return dst[:len(idx)*m]
}

// GatherLabels copies the labels of the samples idx into dst and returns
// dst[:len(idx)]. It panics when the dataset has no labels or dst is short.
func (d *Dataset) GatherLabels(dst []int, idx []int) []int {
	if d.Labels == nil {
		panic("data: GatherLabels: dataset has no labels")
	}
	dst = dst[:len(idx)]
	for k, i := range idx {
		dst[k] = d.Labels[i]
	}
	return dst
}

// Normalizer is an affine map x → (x − Mean)/Std with one shift and one
// scale for all values, as the RRAE reference code normalises its data:
// "meanstd" (FitNormalizer) or "minmax" (FitMinMax, Mean = min and Std =
// max − min). Fit it on the training set and apply the same map to the test
// set; Invert maps a model's output (a reconstruction or a generated image)
// back to the data's units.
type Normalizer struct {
	Mean, Std float32
}

// FitNormalizer returns the mean and the population standard deviation
// (divisor n, as numpy's std) of all values of x, accumulated in float64.
// A zero or non-finite deviation is replaced by 1, so that Apply never
// divides by zero.
func FitNormalizer(x []float32) Normalizer {
	if len(x) == 0 {
		return Normalizer{Mean: 0, Std: 1}
	}
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	mean := sum / float64(len(x))
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	std := math.Sqrt(ss / float64(len(x)))
	if std == 0 || math.IsNaN(std) || math.IsInf(std, 0) {
		std = 1
	}
	return Normalizer{Mean: float32(mean), Std: float32(std)}
}

// FitMinMax returns the normalizer that maps the smallest value of x to 0
// and the largest to 1 (the reference code's "minmax"). A constant or empty
// x gives the identity's scale 1.
func FitMinMax(x []float32) Normalizer {
	if len(x) == 0 {
		return Normalizer{Mean: 0, Std: 1}
	}
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	scale := hi - lo
	if !(scale > 0) || math.IsInf(float64(scale), 0) {
		scale = 1
	}
	return Normalizer{Mean: lo, Std: scale}
}

// Apply normalises x in place: x ← (x − Mean)/Std.
func (n Normalizer) Apply(x []float32) {
	for i, v := range x {
		x[i] = (v - n.Mean) / n.Std
	}
}

// Invert undoes Apply in place: x ← x·Std + Mean.
func (n Normalizer) Invert(x []float32) {
	for i, v := range x {
		x[i] = v*n.Std + n.Mean
	}
}
