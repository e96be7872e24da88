package layers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sequential runs its layers one after the other, as PyTorch's
// nn.Sequential. Its parameters are named by child index as in a PyTorch
// state_dict: "0.weight", "0.bias", "2.weight", … (layers without
// parameters keep their index).
type Sequential struct {
	Layers []Layer

	linked []Layer // the layers linkBatchInner last ran on
}

// NewSequential returns a Sequential of the given layers.
func NewSequential(layers ...Layer) *Sequential { return &Sequential{Layers: layers} }

// Forward runs x through every layer and returns the last one's output.
func (s *Sequential) Forward(x *Tensor) *Tensor {
	// Linking asserts interfaces, which the runtime may answer with an
	// allocation now and then (its assertion caches), so it runs only when
	// the layers have changed.
	if !slices.Equal(s.linked, s.Layers) {
		linkBatchInner(s.Layers)
		s.linked = append(s.linked[:0], s.Layers...)
	}
	for _, l := range s.Layers {
		x = l.Forward(x)
	}
	return x
}

// Backward runs dy back through the layers in reverse order and returns
// dL/dx of the first. When the first layer returns nil (a Linear with
// SkipInputGrad), so does Backward.
func (s *Sequential) Backward(dy *Tensor) *Tensor {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy)
		if dy == nil && i > 0 {
			panic(fmt.Sprintf("layers: Sequential.Backward: layer %d (%v) returned no input gradient", i, s.Layers[i]))
		}
	}
	return dy
}

// Params returns the parameters of the layers, each name prefixed by the
// layer's index. The Value and Grad tensors are the layers' own.
func (s *Sequential) Params() []*Param {
	var out []*Param
	for i, l := range s.Layers {
		out = append(out, PrefixParams(strconv.Itoa(i), l.Params())...)
	}
	return out
}

// String lists the layers as PyTorch prints a Sequential.
func (s *Sequential) String() string {
	var b strings.Builder
	b.WriteString("Sequential(\n")
	for i, l := range s.Layers {
		fmt.Fprintf(&b, "  (%d): %v\n", i, l)
	}
	b.WriteString(")")
	return b.String()
}
