package layers

import (
	"fmt"
	"slices"
)

// Flatten and Reshape change the shape of a batch, not its data: their
// outputs (and the gradients they return) share storage with their inputs,
// which no layer modifies in place.

// Flatten maps [B, d1, d2, …] to [B, d1·d2·…], as PyTorch's nn.Flatten with
// its defaults (start_dim 1).
type Flatten struct {
	inShape []int
	y, dx   Tensor
}

// NewFlatten returns a Flatten layer.
func NewFlatten() *Flatten { return &Flatten{} }

// Forward returns x viewed as [B, rest].
func (f *Flatten) Forward(x *Tensor) *Tensor {
	if len(x.Shape) < 1 {
		panic(fmt.Sprintf("layers: Flatten.Forward: input shape %v has no batch dimension", x.Shape))
	}
	checkNCHW("Flatten", x)
	f.inShape = append(f.inShape[:0], x.Shape...)
	return view(&f.y, x.Data, x.Shape[0], shapeLen(x.Shape[1:]))
}

// Backward returns dy viewed in the shape of the last input.
func (f *Flatten) Backward(dy *Tensor) *Tensor {
	if f.inShape == nil {
		panic("layers: Flatten.Backward before Forward")
	}
	if len(dy.Shape) != 2 || dy.Shape[0] != f.inShape[0] || len(dy.Data) != shapeLen(f.inShape) {
		panic(fmt.Sprintf("layers: Flatten.Backward: gradient shape %v does not flatten input shape %v", dy.Shape, f.inShape))
	}
	return view(&f.dx, dy.Data, f.inShape...)
}

// Params returns nil: Flatten has no parameters.
func (f *Flatten) Params() []*Param { return nil }

// String describes the layer as PyTorch prints it.
func (f *Flatten) String() string { return "Flatten(start_dim=1, end_dim=-1)" }

// Reshape maps [B, …] to [B, Dims…] (PyTorch's nn.Unflatten(1, Dims) after a
// flat layer, or x.view(B, *Dims)).
type Reshape struct {
	Dims    []int
	inShape []int
	out     []int // B followed by Dims
	y, dx   Tensor
}

// NewReshape returns a layer reshaping each sample to dims, which must be
// positive.
func NewReshape(dims ...int) *Reshape {
	for _, d := range dims {
		if d <= 0 {
			panic(fmt.Sprintf("layers: NewReshape%v: dimensions must be positive", dims))
		}
	}
	return &Reshape{Dims: slices.Clone(dims), out: make([]int, len(dims)+1)}
}

// Forward returns x viewed as [B, Dims…]. It panics unless each sample of x
// has the product of Dims elements.
func (r *Reshape) Forward(x *Tensor) *Tensor {
	if len(x.Shape) < 1 || shapeLen(x.Shape[1:]) != shapeLen(r.Dims) {
		panic(fmt.Sprintf("layers: Reshape%v.Forward: input shape %v does not hold [B %v] samples", r.Dims, x.Shape, r.Dims))
	}
	checkNCHW("Reshape", x)
	r.inShape = append(r.inShape[:0], x.Shape...)
	r.out[0] = x.Shape[0]
	copy(r.out[1:], r.Dims)
	return view(&r.y, x.Data, r.out...)
}

// Backward returns dy viewed in the shape of the last input.
func (r *Reshape) Backward(dy *Tensor) *Tensor {
	if r.inShape == nil {
		panic(fmt.Sprintf("layers: Reshape%v.Backward before Forward", r.Dims))
	}
	if !slices.Equal(dy.Shape, r.out) {
		panic(fmt.Sprintf("layers: Reshape%v.Backward: gradient shape %v, want %v", r.Dims, dy.Shape, r.out))
	}
	return view(&r.dx, dy.Data, r.inShape...)
}

// Params returns nil: Reshape has no parameters.
func (r *Reshape) Params() []*Param { return nil }

// String describes the layer.
func (r *Reshape) String() string { return fmt.Sprintf("Reshape(%v)", r.Dims) }

// view makes t a tensor of the given shape over data, reusing t's shape
// storage, and returns it.
func view(t *Tensor, data []float32, shape ...int) *Tensor {
	t.Shape = append(t.Shape[:0], shape...)
	t.Data = data
	return t
}
