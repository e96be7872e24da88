package layers

import (
	"fmt"
	"testing"
)

// linearBenchShapes are the Linear layers of the papers' architectures. The
// RRAE ones (rrae.txt Appendix C) take L = 64 as the latent width (the paper
// does not fix one): on 28×28 MNIST two 3×3 stride-2 convolutions leave
// 64·7·7 features and the decoder starts from 300·2·2; on the 64×64 bumps,
// 64·16·16 and 300·4·4. IRMAE's MNIST model (irmae.txt Table 3) flattens to
// 1024, has a 128 latent with 128×128 extra layers without bias, and a
// decoder FC to 8·8·128.
var linearBenchShapes = []struct {
	name    string
	in, out int
	bias    bool
}{
	{"rrae-mnist-enc", 64 * 7 * 7, 64, true},
	{"rrae-mnist-dec", 64, 300 * 2 * 2, true},
	{"rrae-bumps-enc", 64 * 16 * 16, 64, true},
	{"rrae-bumps-dec", 64, 300 * 4 * 4, true},
	{"irmae-mnist-enc", 1024, 128, true},
	{"irmae-mnist-latent", 128, 128, false},
	{"irmae-mnist-dec", 128, 8 * 8 * 128, true},
}

// BenchmarkLinear times a Linear layer's forward pass (one GEMM of
// 2·B·in·out flops) and backward pass (two: weight and input gradients),
// reporting GFLOP/s.
func BenchmarkLinear(b *testing.B) {
	for _, s := range linearBenchShapes {
		for _, batch := range []int{32, 128} {
			for _, pass := range []string{"forward", "backward"} {
				name := fmt.Sprintf("in=%d,out=%d,batch=%d/pass=%s", s.in, s.out, batch, pass)
				b.Run(name, func(b *testing.B) {
					rng := NewRand(1)
					l := newLinear(s.in, s.out, s.bias)
					l.Reset(rng)
					x := randTensor(rng, -1, 1, batch, s.in)
					dy := randTensor(rng, -1, 1, batch, s.out)
					l.Forward(x)
					flops := 2 * float64(batch) * float64(s.in) * float64(s.out)
					if pass == "backward" {
						flops *= 2
						l.Backward(dy)
					}
					b.ResetTimer()
					for range b.N {
						if pass == "forward" {
							l.Forward(x)
						} else {
							l.Backward(dy)
						}
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
