package ae

import (
	"errors"
	"fmt"

	"github.com/rankae/rankae/layers"
	"github.com/rankae/rankae/linalg"
)

// ErrNotFoldable says that an IRMAE's linear maps cannot be folded into its
// encoder, which does not end in a Linear.
var ErrNotFoldable = errors.New("no Linear to fold into")

// FoldIRMAE folds an IRMAE's extra linear maps into the encoder's last
// Linear (irmae.txt §3): with P = W_l⋯W_1, W ← P·W and b ← P·b, and the
// latent step becomes the identity. The model computes the same function
// afterwards, as a plain autoencoder. It fails unless m has an IRMAE latent;
// when the encoder does not end in a Linear (IRMAE Table 3's shapes encoder
// ends in a Conv) the error wraps ErrNotFoldable and the model is left as it
// is: it computes the same function with the maps as a separate step.
func (m *Model) FoldIRMAE() error {
	irm, ok := m.Latent.(*IRMAELatent)
	if !ok {
		return fmt.Errorf("ae: FoldIRMAE: the %s model has no IRMAE latent", m.Kind)
	}
	seq, ok := m.Encoder.(*layers.Sequential)
	if !ok || len(seq.Layers) == 0 {
		return fmt.Errorf("ae: FoldIRMAE: the encoder is not a Sequential: %w", ErrNotFoldable)
	}
	last, ok := seq.Layers[len(seq.Layers)-1].(*layers.Linear)
	if !ok {
		return fmt.Errorf("ae: FoldIRMAE: the encoder ends in %v, not a Linear: %w", seq.Layers[len(seq.Layers)-1], ErrNotFoldable)
	}
	p := irm.Product()
	l, in := last.Out, last.In
	w := make([]float32, l*in)
	linalg.Sgemm(false, false, l, in, l, 1, p, l, last.Weight.Value.Data, in, 0, w, in)
	copy(last.Weight.Value.Data, w)
	if last.Bias != nil {
		b := make([]float32, l)
		linalg.Sgemm(false, false, l, 1, l, 1, p, l, last.Bias.Value.Data, 1, 0, b, 1)
		copy(last.Bias.Value.Data, b)
	}
	m.Latent = Identity{}
	return nil
}
