package ae

import (
	"fmt"
	"math/rand/v2"

	"github.com/rankae/rankae/layers"
)

// newPair builds the encoder (images → [B, l]) and decoder ([B, l] →
// images) of c.Arch.
func newPair(c Config, l int, rng *rand.Rand) (enc, dec *layers.Sequential, err error) {
	ch, h, w := c.InShape[0], c.InShape[1], c.InShape[2]
	switch c.Arch {
	case "mlp":
		enc, dec = mlpPair(c.InShape, l, c.Hidden, rng)
	case "rrae-conv":
		if h < 4 || w < 4 {
			return nil, nil, fmt.Errorf("rrae-conv needs images of at least 4×4, not %d×%d", h, w)
		}
		enc, dec = rraeConvPair(ch, h, w, l, rng)
	case "irmae-shapes", "irmae-mnist":
		if h != 32 || w != 32 {
			return nil, nil, fmt.Errorf("%s takes 32×32 images, not %d×%d (resize them first)", c.Arch, h, w)
		}
		if c.Arch == "irmae-shapes" {
			enc, dec = irmaeShapesPair(ch, l, rng)
		} else {
			enc, dec = irmaeMNISTPair(ch, l, rng)
		}
	}
	// The encoder's input is the data, whose gradient Model.Backward drops:
	// its first convolution need not form it (nor does PyTorch, for inputs
	// that do not require one).
	if len(enc.Layers) > 0 {
		if first, ok := enc.Layers[0].(*layers.Conv2D); ok {
			first.SkipInputGrad = true
		}
	}
	return enc, dec, nil
}

// convOut is the output size of a convolution along one axis.
func convOut(in, k, stride, pad int) int { return (in+2*pad-k)/stride + 1 }

// rraeConvPair is rrae.txt Appendix C: encoder Conv 32 (ReLU), Conv 64,
// Flatten, Linear to l; decoder Linear to 300·D0·D1, reshape, ConvT 256,
// 128, 32 (each with ReLU) and 8, all 3×3 with stride 2, padding 1 and
// output padding 1 (each doubles the size), then a stride-1 Conv to the
// input's channels whose kernel, (16·D0 − H + 1)×(16·D1 − W + 1), makes the
// output exactly H×W. D0 = ⌈H/16⌉ is the smallest start that reaches H.
// (The paper's equation 15 adds both axes' excess into one square kernel,
// which gives the right size only for square images; per-axis kernels
// always do.)
func rraeConvPair(c, h, w, l int, rng *rand.Rand) (enc, dec *layers.Sequential) {
	h2, w2 := convOut(convOut(h, 3, 2, 1), 3, 2, 1), convOut(convOut(w, 3, 2, 1), 3, 2, 1)
	enc = layers.NewSequential(
		layers.NewConv2D(c, 32, 3, 3, 2, 1, rng), layers.NewReLU(),
		layers.NewConv2D(32, 64, 3, 3, 2, 1, rng),
		layers.NewFlatten(),
		layers.NewLinear(64*h2*w2, l, rng))
	d0, d1 := (h+15)/16, (w+15)/16
	convT := func(in, out int) *layers.ConvTranspose2D {
		return layers.NewConvTranspose2D(in, out, 3, 3, 2, 1, 1, rng)
	}
	dec = layers.NewSequential(
		layers.NewLinear(l, 300*d0*d1, rng),
		layers.NewReshape(300, d0, d1),
		convT(300, 256), layers.NewReLU(),
		convT(256, 128), layers.NewReLU(),
		convT(128, 32), layers.NewReLU(),
		convT(32, 8),
		layers.NewConv2D(8, c, 16*d0-h+1, 16*d1-w+1, 1, 0, rng))
	return enc, dec
}

// irmaeShapesPair is irmae.txt Table 3's shapes pair for 32×32 images, with
// the layer geometry of the reference code (facebookresearch/irmae,
// Shape_Encoder and Shape_Decoder) that produced the paper's Fig. 2: four
// 4×4 stride-2 convolutions (32, 64, 128, 256) with ReLU down to 2×2, then a
// 2×2 stride-1 convolution to l channels on 1×1, with no ReLU; the decoder
// mirrors it, a 2×2 stride-1 ConvT to 256 channels on 2×2, then 4×4 stride-2
// ConvTs (128, 64, 32, then the image's channels), ReLU between, Tanh at the
// end. Two deviations from the paper's text, both the reference code's:
//   - Table 3 draws a ReLU before z; the reference encoder ends in the
//     plain Conv, as the MNIST and CelebA encoders end in a plain FC. With
//     the ReLU the IRMAE maps could not be absorbed into the encoder's last
//     layer (irmae.txt §3), and latent units that die lower the latent rank
//     of every model alike.
//   - §5.1.2 says every convolution is 4×4 with stride 2 and padding 1. On
//     the 2×2 map such a layer only ever uses its central 2×2 taps, so it
//     computes the same functions as the 2×2 stride-1 layer, but PyTorch's
//     init draws its weights from a 2× narrower law (fan-in 16·256 instead
//     of 4·256). With the narrower init the plain AE took about twice as
//     many steps to leave the plateau on which it does not encode hue
//     (measured on shapes of one size and place, colour varying: first hue
//     direction after ≈1600–1900 steps instead of ≈700–900, two seeds).
func irmaeShapesPair(c, l int, rng *rand.Rand) (enc, dec *layers.Sequential) {
	conv := func(in, out int) *layers.Conv2D { return layers.NewConv2D(in, out, 4, 4, 2, 1, rng) }
	convT := func(in, out int) *layers.ConvTranspose2D {
		return layers.NewConvTranspose2D(in, out, 4, 4, 2, 1, 0, rng)
	}
	enc = layers.NewSequential(
		conv(c, 32), layers.NewReLU(), conv(32, 64), layers.NewReLU(), conv(64, 128), layers.NewReLU(),
		conv(128, 256), layers.NewReLU(), layers.NewConv2D(256, l, 2, 2, 1, 0, rng), layers.NewFlatten())
	dec = layers.NewSequential(
		layers.NewReshape(l, 1, 1),
		layers.NewConvTranspose2D(l, 256, 2, 2, 1, 0, 0, rng), layers.NewReLU(),
		convT(256, 128), layers.NewReLU(), convT(128, 64), layers.NewReLU(),
		convT(64, 32), layers.NewReLU(), convT(32, c), layers.NewTanh())
	return enc, dec
}

// irmaeMNISTPair is irmae.txt Table 3's MNIST pair for 32×32 images, as
// ../shared/bench/pytorch_train_step.py builds it: four 4×4 stride-2
// convolutions (32, 64, 128, 256) with ReLU, flatten to 1024, FC to l;
// decoder FC to 8·8·128, ConvT 64 and 32 (4×4, stride 2) with ReLU, and a
// 3×3 stride-1 ConvT to the image's channels with Tanh.
func irmaeMNISTPair(c, l int, rng *rand.Rand) (enc, dec *layers.Sequential) {
	conv := func(in, out int) *layers.Conv2D { return layers.NewConv2D(in, out, 4, 4, 2, 1, rng) }
	convT := func(in, out int) *layers.ConvTranspose2D {
		return layers.NewConvTranspose2D(in, out, 4, 4, 2, 1, 0, rng)
	}
	enc = layers.NewSequential(
		conv(c, 32), layers.NewReLU(), conv(32, 64), layers.NewReLU(), conv(64, 128), layers.NewReLU(),
		conv(128, 256), layers.NewReLU(), layers.NewFlatten(), layers.NewLinear(1024, l, rng))
	dec = layers.NewSequential(
		layers.NewLinear(l, 8*8*128, rng), layers.NewReshape(128, 8, 8),
		convT(128, 64), layers.NewReLU(), convT(64, 32), layers.NewReLU(),
		layers.NewConvTranspose2D(32, c, 3, 3, 1, 1, 0, rng), layers.NewTanh())
	return enc, dec
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
