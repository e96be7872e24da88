package layers

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/rankae/rankae/linalg"
)

// BenchmarkActivation times each activation's forward and backward pass
// over n elements, on one goroutine and on GOMAXPROCS, reporting elements
// per nanosecond (Gelem/s).
func BenchmarkActivation(b *testing.B) {
	acts := []struct {
		name string
		mk   func() Layer
	}{
		{"ReLU", func() Layer { return NewReLU() }},
		{"LeakyReLU", func() Layer { return NewLeakyReLU(0.01) }},
		{"Sigmoid", func() Layer { return NewSigmoid() }},
		{"Tanh", func() Layer { return NewTanh() }},
		{"Softplus", func() Layer { return NewSoftplus() }},
	}
	for _, a := range acts {
		for _, n := range []int{32 * 1200, 128 * 8192} {
			for _, pass := range []string{"forward", "backward"} {
				for _, threads := range []int{1, runtime.GOMAXPROCS(0)} {
					b.Run(fmt.Sprintf("act=%s,n=%d/pass=%s/threads=%d", a.name, n, pass, threads), func(b *testing.B) {
						defer linalg.SetThreads(linalg.SetThreads(threads))
						rng := NewRand(1)
						l := a.mk()
						x := randTensor(rng, -4, 4, n)
						dy := randTensor(rng, -1, 1, n)
						l.Forward(x)
						b.ResetTimer()
						for range b.N {
							if pass == "forward" {
								l.Forward(x)
							} else {
								l.Backward(dy)
							}
						}
						b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
					})
				}
			}
		}
	}
}
