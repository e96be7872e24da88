package ae

import (
	"fmt"
	"slices"

	"github.com/rankae/rankae/layers"
)

// Model is an autoencoder: an encoder from images [B, C, H, W] to latent
// vectors [B, L], a latent step, and a decoder back to images. A model New
// built runs the convolutions of its encoder and decoder on parts of the
// batch at once, one part per free thread (layers.DataParallelConvs), and
// their other layers and its latent step on the whole batch.
type Model struct {
	Kind      string
	InShape   [3]int // C, H, W of one sample
	LatentDim int    // L

	Encoder layers.Layer
	Latent  layers.Layer
	Decoder layers.Layer

	// FreezeEncoder stops Backward at the latent: the decoder fine-tuning
	// of RRAE trains only the decoder.
	FreezeEncoder bool

	// The encoder and decoder New built, and the layers that run them with
	// their convolutions on parts of the batch at once
	// (layers.DataParallelConvs); an Encoder or Decoder set in their place
	// runs as it is.
	builtEncoder, builtDecoder       layers.Layer
	parallelEncoder, parallelDecoder layers.Layer

	z *layers.Tensor // encoder output of the last Forward
}

// encoder returns the layer that runs m.Encoder.
func (m *Model) encoder() layers.Layer {
	return runner(m.builtEncoder, m.parallelEncoder, m.Encoder)
}

// decoder returns the layer that runs m.Decoder.
func (m *Model) decoder() layers.Layer {
	return runner(m.builtDecoder, m.parallelDecoder, m.Decoder)
}

// runner returns parallel, the batch-parallel runner New built for built,
// when net is still built, and net itself otherwise.
func runner(built, parallel, net layers.Layer) layers.Layer {
	if parallel != nil && net == built {
		return parallel
	}
	return net
}

// Forward runs a batch through the whole model and returns the
// reconstruction, which belongs to the decoder.
func (m *Model) Forward(x *layers.Tensor) *layers.Tensor {
	if len(x.Shape) != 4 || !slices.Equal(x.Shape[1:], m.InShape[:]) {
		panic(fmt.Sprintf("ae: %s model: input shape %v, want [batch %d %d %d]", m.Kind, x.Shape, m.InShape[0], m.InShape[1], m.InShape[2]))
	}
	m.z = m.encoder().Forward(x)
	return m.decoder().Forward(m.Latent.Forward(m.z))
}

// Encode returns the encoder's latent batch [B, L] for x (before the latent
// step). It belongs to the encoder.
func (m *Model) Encode(x *layers.Tensor) *layers.Tensor { return m.encoder().Forward(x) }

// Decode returns the decoder's images for the latent batch z [B, L], which
// does not pass through the latent step.
func (m *Model) Decode(z *layers.Tensor) *layers.Tensor { return m.decoder().Forward(z) }

// Backward propagates dL/dx̂ through decoder, latent step and (unless
// frozen) encoder, accumulating parameter gradients.
func (m *Model) Backward(dy *layers.Tensor) {
	dz := m.Latent.Backward(m.decoder().Backward(dy))
	if !m.FreezeEncoder {
		m.encoder().Backward(dz)
	}
}

// Params names the parameters as a PyTorch module with children encoder,
// latent and decoder would.
func (m *Model) Params() []*layers.Param {
	var ps []*layers.Param
	ps = append(ps, layers.PrefixParams("encoder", m.Encoder.Params())...)
	ps = append(ps, layers.PrefixParams("latent", m.Latent.Params())...)
	ps = append(ps, layers.PrefixParams("decoder", m.Decoder.Params())...)
	return ps
}

// TrainableParams is Params without the encoder's and the latent's when the
// encoder is frozen.
func (m *Model) TrainableParams() []*layers.Param {
	if !m.FreezeEncoder {
		return m.Params()
	}
	return layers.PrefixParams("decoder", m.Decoder.Params())
}
