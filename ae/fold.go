package ae

import (
	"errors"
	"fmt"

	"github.com/rankae/rankae/layers"
	"github.com/rankae/rankae/linalg"
)

// ErrNotFoldable says that an IRMAE's linear maps cannot be folded into its
// encoder, which does not end in a Linear (or in a Conv2D with a 1×1 output,
// flattened).
var ErrNotFoldable = errors.New("no Linear to fold into")

// FoldIRMAE folds an IRMAE's extra linear maps into the encoder's last layer
// (irmae.txt §3): with P = W_l⋯W_1, W ← P·W and b ← P·b, and the latent step
// becomes the identity. The model computes the same function afterwards, as
// a plain autoencoder. The last layer is a Linear, or a Conv2D whose L
// output channels on a 1×1 map are the latent (Table 3's shapes encoder,
// Conv then Flatten): P then mixes the output channels, which is the same
// product on its weight viewed as [L, In·KH·KW]. It fails unless m has an
// IRMAE latent; when the encoder ends otherwise the error wraps
// ErrNotFoldable and the model is left as it is: it computes the same
// function with the maps as a separate step.
func (m *Model) FoldIRMAE() error {
	irm, ok := m.Latent.(*IRMAELatent)
	if !ok {
		return fmt.Errorf("ae: FoldIRMAE: the %s model has no IRMAE latent", m.Kind)
	}
	seq, ok := m.Encoder.(*layers.Sequential)
	if !ok || len(seq.Layers) == 0 {
		return fmt.Errorf("ae: FoldIRMAE: the encoder is not a Sequential: %w", ErrNotFoldable)
	}
	var weight, bias *layers.Param
	switch last := seq.Layers[len(seq.Layers)-1].(type) {
	case *layers.Linear:
		weight, bias = last.Weight, last.Bias
	case *layers.Flatten:
		// Conv2D → Flatten: its Out channels are the latent only when its
		// output is 1×1, which Out = L says (the flattened size is L).
		if n := len(seq.Layers); n >= 2 {
			if c, ok := seq.Layers[n-2].(*layers.Conv2D); ok && c.Out == m.LatentDim {
				weight, bias = c.Weight, c.Bias
			}
		}
	}
	if weight == nil {
		return fmt.Errorf("ae: FoldIRMAE: the encoder ends in %v, not a Linear or a 1×1 Conv2D: %w", seq.Layers[len(seq.Layers)-1], ErrNotFoldable)
	}
	p := irm.Product()
	l := m.LatentDim
	if weight.Value.Dim(0) != l {
		return fmt.Errorf("ae: FoldIRMAE: the encoder's last layer has %d outputs, the latent %d: %w", weight.Value.Dim(0), l, ErrNotFoldable)
	}
	in := weight.Value.Len() / l
	w := make([]float32, l*in)
	linalg.Sgemm(false, false, l, in, l, 1, p, l, weight.Value.Data, in, 0, w, in)
	copy(weight.Value.Data, w)
	if bias != nil {
		b := make([]float32, l)
		linalg.Sgemm(false, false, l, 1, l, 1, p, l, bias.Value.Data, 1, 0, b, 1)
		copy(bias.Value.Data, b)
	}
	m.Latent = Identity{}
	return nil
}
