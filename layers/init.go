package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// PyTorch's default initialisation of Linear and Conv layers is
// kaiming_uniform_(weight, a=√5), which is U(−b, b) with
//
//	b = gain·√(3/fan_in), gain = √(2/(1+a²)) = √(1/3)  ⇒  b = 1/√fan_in,
//
// and U(−1/√fan_in, 1/√fan_in) for the bias. fan_in is in_features for
// Linear, in_channels·kh·kw for Conv2d and out_channels·kh·kw for
// ConvTranspose2d (PyTorch computes it from weight.size(1)·kh·kw). The numbers
// are drawn from an explicit *rand.Rand, so one seed gives one network; they
// are not PyTorch's numbers (its generator is different), only their law.

// DefaultBound returns 1/√fanIn, the bound of PyTorch's default uniform
// initialisation for both weight and bias. It panics unless fanIn > 0.
func DefaultBound(fanIn int) float64 {
	if fanIn <= 0 {
		panic(fmt.Sprintf("layers: DefaultBound: fan_in = %d, want > 0", fanIn))
	}
	return 1 / math.Sqrt(float64(fanIn))
}

// InitUniform fills t with independent draws from U(−bound, bound), in the
// order of t.Data, from rng.
func InitUniform(t *Tensor, bound float64, rng *rand.Rand) {
	for i := range t.Data {
		t.Data[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// NewRand returns the generator the layers draw their initial values from
// for a seed: a PCG seeded with (seed, seed).
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed))
}
