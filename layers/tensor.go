package layers

import (
	"fmt"
	"slices"
)

// Tensor is a dense float32 array in row-major order; image batches are NCHW
// (batch, channels, height, width). Data holds exactly Len() elements.
type Tensor struct {
	Shape []int
	Data  []float32

	// batchInner marks a batch held with the batch innermost (see
	// batch_inner.go): only between layers of a Sequential, from a
	// convolution to a convolution through element-wise layers.
	batchInner bool
}

// NewTensor returns a zeroed tensor of the given shape. It panics on a
// negative dimension.
func NewTensor(shape ...int) *Tensor {
	return &Tensor{Shape: slices.Clone(shape), Data: make([]float32, shapeLen(shape))}
}

// FromSlice returns a tensor of the given shape that shares data. It panics
// unless len(data) is the product of shape.
func FromSlice(data []float32, shape ...int) *Tensor {
	if n := shapeLen(shape); n != len(data) {
		panic(fmt.Sprintf("layers: FromSlice: %d values for shape %v (%d elements)", len(data), shape, n))
	}
	return &Tensor{Shape: slices.Clone(shape), Data: data}
}

// Len returns the number of elements, the product of Shape.
func (t *Tensor) Len() int { return len(t.Data) }

// Dim returns the size of dimension i.
func (t *Tensor) Dim(i int) int { return t.Shape[i] }

// Resize gives t the shape, reusing the storage of Data when its capacity
// suffices, and returns t. The contents are unspecified afterwards. Layers
// resize their output buffers on every call, so that a training step
// allocates nothing once the shapes have been seen.
func (t *Tensor) Resize(shape ...int) *Tensor {
	n := shapeLen(shape)
	t.Shape = append(t.Shape[:0], shape...)
	if cap(t.Data) >= n {
		t.Data = t.Data[:n]
	} else {
		t.Data = make([]float32, n)
	}
	return t
}

// resizeLike gives t the shape and the layout of u (resizing as Resize does)
// and returns t: an element-wise layer's output and gradient follow its input.
func (t *Tensor) resizeLike(u *Tensor) *Tensor {
	t.Resize(u.Shape...)
	t.batchInner = u.batchInner
	return t
}

// Zero sets every element to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// SameShape reports whether t and u have equal shapes.
func (t *Tensor) SameShape(u *Tensor) bool { return slices.Equal(t.Shape, u.Shape) }

// String describes the tensor's shape, not its contents.
func (t *Tensor) String() string { return fmt.Sprintf("Tensor%v", t.Shape) }

func shapeLen(shape []int) int {
	n := 1
	for i, d := range shape {
		if d < 0 {
			// Naming only i and d keeps shape from escaping, so a
			// variadic Resize call does not allocate.
			panic(fmt.Sprintf("layers: dimension %d of a shape is negative (%d)", i, d))
		}
		n *= d
	}
	return n
}
