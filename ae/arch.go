package ae

import (
	"fmt"
	"math/rand/v2"

	"github.com/rankae/rankae/layers"
)

// newPair builds the encoder (images → [B, l]) and decoder ([B, l] →
// images) of c.Arch.
func newPair(c Config, l int, rng *rand.Rand) (enc, dec layers.Layer, err error) {
	switch c.Arch {
	case "mlp":
		enc, dec = mlpPair(c.InShape, l, c.Hidden, rng)
		return enc, dec, nil
	}
	return nil, nil, fmt.Errorf("architecture %q is not built yet", c.Arch)
}

// mlpPair is a multilayer perceptron pair with ReLU between layers: the
// encoder flattens and goes through the hidden widths to l, the decoder
// mirrors it and reshapes to the image. Default hidden widths: 256, 128.
func mlpPair(in [3]int, l int, hidden []int, rng *rand.Rand) (enc, dec *layers.Sequential) {
	if hidden == nil {
		hidden = []int{256, 128}
	}
	d := in[0] * in[1] * in[2]
	enc = layers.NewSequential(layers.NewFlatten())
	prev := d
	for _, h := range hidden {
		enc.Layers = append(enc.Layers, layers.NewLinear(prev, h, rng), layers.NewReLU())
		prev = h
	}
	enc.Layers = append(enc.Layers, layers.NewLinear(prev, l, rng))
	dec = layers.NewSequential()
	prev = l
	for i := len(hidden) - 1; i >= 0; i-- {
		dec.Layers = append(dec.Layers, layers.NewLinear(prev, hidden[i], rng), layers.NewReLU())
		prev = hidden[i]
	}
	dec.Layers = append(dec.Layers, layers.NewLinear(prev, d, rng), layers.NewReshape(in[0], in[1], in[2]))
	return enc, dec
}
