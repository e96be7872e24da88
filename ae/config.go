package ae

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rankae/rankae/layers"
)

// Config describes a model completely: New builds it, and checkpoints store
// it so that a model can be rebuilt for evaluation.
type Config struct {
	Model   string // one of Models
	Arch    string // one of Archs
	InShape [3]int // C, H, W
	L       int    // latent size; Diabolo uses K
	K       int    // bottleneck of RRAE and Diabolo (aRRAE: found in training)
	IRMAE   int    // IRMAE's number of extra linear layers l
	Hidden  []int  // MLP hidden widths
	Seed    uint64 // parameter initialisation
}

// Models lists the model kinds New builds.
var Models = []string{"arrae", "rrae", "irmae", "long", "diabolo"}

// Archs lists the encoder/decoder pairs: the RRAE paper's convolutional pair
// (Appendix C, sized to the input), IRMAE's shapes and MNIST pairs (Table
// 3, 32×32 inputs) and a multilayer perceptron.
var Archs = []string{"rrae-conv", "irmae-shapes", "irmae-mnist", "mlp"}

// Validate reports the first problem with c, naming the valid choices.
func (c Config) Validate() error {
	if !slices.Contains(Models, c.Model) {
		return fmt.Errorf("unknown model %q (valid: %s)", c.Model, strings.Join(Models, ", "))
	}
	if !slices.Contains(Archs, c.Arch) {
		return fmt.Errorf("unknown architecture %q (valid: %s)", c.Arch, strings.Join(Archs, ", "))
	}
	if c.InShape[0] < 1 || c.InShape[1] < 1 || c.InShape[2] < 1 {
		return fmt.Errorf("input shape %v must be positive", c.InShape)
	}
	switch c.Model {
	case "rrae", "diabolo":
		if c.K < 1 {
			return fmt.Errorf("%s needs k ≥ 1, got %d", c.Model, c.K)
		}
	case "irmae":
		if c.IRMAE < 1 {
			return fmt.Errorf("irmae needs l ≥ 1 linear layers, got %d", c.IRMAE)
		}
	}
	if c.latentDim() < 1 {
		return fmt.Errorf("latent size L = %d must be positive", c.latentDim())
	}
	if c.Model == "rrae" && c.K > c.L {
		return fmt.Errorf("k = %d is larger than the latent size L = %d", c.K, c.L)
	}
	return nil
}

func (c Config) latentDim() int {
	if c.Model == "diabolo" {
		return c.K
	}
	return c.L
}

// New builds the model c describes, its parameters drawn from c.Seed as
// PyTorch's default initialisation would.
func New(c Config) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	rng := layers.NewRand(c.Seed)
	l := c.latentDim()
	enc, dec, err := newPair(c, l, rng)
	if err != nil {
		return nil, err
	}
	// Batch parallelism for the convolutions: replicas of the encoder's and
	// the decoder's runs of convolutions, sharing their parameters, run on
	// parts of the batch as threads are free; their Linear layers and the
	// latent step take the whole batch (the RRAE's SVD couples it).
	replica := func(decoder bool) func() *layers.Sequential {
		return func() *layers.Sequential {
			e, d, _ := newPair(c, l, layers.NewRand(0)) // values discarded
			if decoder {
				return d
			}
			return e
		}
	}
	m := &Model{Kind: c.Model, InShape: c.InShape, LatentDim: l, Encoder: enc, Decoder: dec, Latent: Identity{},
		builtEncoder: enc, builtDecoder: dec,
		parallelEncoder: layers.DataParallelConvs(enc, replica(false)),
		parallelDecoder: layers.DataParallelConvs(dec, replica(true))}
	switch c.Model {
	case "rrae":
		m.Latent = NewRRAELatent(c.K)
	case "arrae":
		m.Latent = NewRRAELatent(l) // the search sets K
	case "irmae":
		m.Latent = NewIRMAELatent(l, c.IRMAE, rng)
	}
	return m, nil
}
