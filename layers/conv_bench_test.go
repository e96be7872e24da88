package layers

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rankae/rankae/kernels"
	"github.com/rankae/rankae/linalg"
)

// convBenchLayer is one convolution of the papers' training architectures, as
// ../shared/bench/pytorch_train_step.py defines them (MNIST-sized inputs).
type convBenchLayer struct {
	name string
	make func() Layer
	in   []int // input shape without the batch
}

func convPaperLayers() []convBenchLayer {
	conv := func(in, out, k, s, p int) func() Layer {
		return func() Layer { return NewConv2D(in, out, k, k, s, p, NewRand(1)) }
	}
	convT := func(in, out, k, s, p, op int) func() Layer {
		return func() Layer { return NewConvTranspose2D(in, out, k, k, s, p, op, NewRand(1)) }
	}
	return []convBenchLayer{
		// RRAE, appendix C, on 28×28×1.
		{"rrae-enc1", conv(1, 32, 3, 2, 1), []int{1, 28, 28}},
		{"rrae-enc2", conv(32, 64, 3, 2, 1), []int{32, 14, 14}},
		{"rrae-dec1", convT(300, 256, 3, 2, 1, 1), []int{300, 2, 2}},
		{"rrae-dec2", convT(256, 128, 3, 2, 1, 1), []int{256, 4, 4}},
		{"rrae-dec3", convT(128, 32, 3, 2, 1, 1), []int{128, 8, 8}},
		{"rrae-dec4", convT(32, 8, 3, 2, 1, 1), []int{32, 16, 16}},
		{"rrae-out", conv(8, 1, 5, 1, 0), []int{8, 32, 32}},
		// IRMAE, table 3, MNIST 32×32×1.
		{"irmae-enc1", conv(1, 32, 4, 2, 1), []int{1, 32, 32}},
		{"irmae-enc2", conv(32, 64, 4, 2, 1), []int{32, 16, 16}},
		{"irmae-enc3", conv(64, 128, 4, 2, 1), []int{64, 8, 8}},
		{"irmae-enc4", conv(128, 256, 4, 2, 1), []int{128, 4, 4}},
		{"irmae-dec1", convT(128, 64, 4, 2, 1, 0), []int{128, 8, 8}},
		{"irmae-dec2", convT(64, 32, 4, 2, 1, 0), []int{64, 16, 16}},
		{"irmae-dec3", convT(32, 1, 3, 1, 1, 0), []int{32, 32, 32}},
	}
}

// convFlops returns the floating-point operations of one forward pass of l on
// a batch x: 2 per multiply-add of the GEMM. Backward does twice as many (the
// weight gradient and the input gradient).
func convFlops(l Layer, x, y *Tensor) float64 {
	switch c := l.(type) {
	case *Conv2D:
		return 2 * float64(y.Len()) * float64(c.In*c.KernelH*c.KernelW)
	case *ConvTranspose2D:
		return 2 * float64(x.Len()) * float64(c.Out*c.KernelH*c.KernelW)
	}
	panic(fmt.Sprintf("convFlops: %T", l))
}

var (
	corePeakOnce sync.Once
	corePeak     float64 // GFLOP/s of one core's FMA units, 0 if unknown
)

// peakGflops returns the FMA peak of the cores a layer runs on:
// linalg.Threads() times one core's, measured once with the active variant's
// FMAPeak loop (0 for the generic variant).
func peakGflops() float64 {
	corePeakOnce.Do(func() {
		loop, flops := kernels.Active().FMAPeak()
		if loop == nil {
			return
		}
		// Many short runs, keeping the fastest: on a shared machine some
		// of them run undisturbed.
		const iterations = 1 << 16
		loop(16 * iterations) // warm up the clocks
		best := time.Duration(1 << 62)
		for range 200 {
			start := time.Now()
			loop(iterations)
			best = min(best, time.Since(start))
		}
		corePeak = float64(flops) * iterations / best.Seconds() / 1e9
	})
	return corePeak * float64(linalg.Threads())
}

func reportConv(b *testing.B, flops float64) {
	gflops := flops * float64(b.N) / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(gflops, "GFLOP/s")
	if peak := peakGflops(); peak > 0 {
		b.ReportMetric(100*gflops/peak, "%peak")
	}
}

// BenchmarkConv runs the forward and the backward pass of every convolution of
// the two paper architectures at batch 32, and both passes together, reporting
// GFLOP/s and the share of the FMA peak of the linalg.Threads() cores.
func BenchmarkConv(b *testing.B) {
	const batch = 32
	peakGflops()
	for _, pl := range convPaperLayers() {
		l := pl.make()
		x := randTensor(NewRand(2), -1, 1, append([]int{batch}, pl.in...)...)
		y := l.Forward(x)
		dy := randTensor(NewRand(3), -1, 1, y.Shape...)
		fwd := convFlops(l, x, y)
		name := fmt.Sprintf("layer=%s,batch=%d", pl.name, batch)
		b.Run(name+"/pass=forward", func(b *testing.B) {
			for b.Loop() {
				l.Forward(x)
			}
			reportConv(b, fwd)
		})
		b.Run(name+"/pass=backward", func(b *testing.B) {
			l.Forward(x)
			for b.Loop() {
				l.Backward(dy)
			}
			reportConv(b, 2*fwd)
		})
		b.Run(name+"/pass=both", func(b *testing.B) {
			for b.Loop() {
				l.Forward(x)
				l.Backward(dy)
			}
			reportConv(b, 3*fwd)
		})
	}
}

// BenchmarkConvNetwork runs forward and backward of all the convolutions of
// one architecture at batch 32: the share of a training step the convolution
// layers take, as one figure. parallel=gemm runs each layer on the whole
// batch, its products split over the threads; parallel=batch runs each chain
// of them (the encoder's, the decoder's, where one's output is the next one's
// input) as a Sequential in a DataParallel, as the models run them: the
// replicas' transposes and the gathering of their parts then come at the
// ends of a chain, not at every layer.
func BenchmarkConvNetwork(b *testing.B) {
	const batch = 32
	peakGflops()
	for _, arch := range []string{"rrae", "irmae"} {
		var chains [][]convBenchLayer
		for _, pl := range convPaperLayers() {
			if pl.name[:len(arch)+1] != arch+"-" {
				continue
			}
			if n := len(chains); n > 0 {
				last := chains[n-1][len(chains[n-1])-1]
				y := last.make().Forward(NewTensor(append([]int{1}, last.in...)...))
				if slices.Equal(y.Shape[1:], pl.in) {
					chains[n-1] = append(chains[n-1], pl)
					continue
				}
			}
			chains = append(chains, []convBenchLayer{pl})
		}
		for _, parallel := range []string{"gemm", "batch"} {
			type run struct {
				l     Layer
				x, dy *Tensor
			}
			var runs []run
			flops := 0.0
			for _, chain := range chains {
				build := func() Layer {
					seq := NewSequential()
					for _, pl := range chain {
						seq.Layers = append(seq.Layers, pl.make())
					}
					return seq
				}
				seq := build().(*Sequential)
				x := randTensor(NewRand(2), -1, 1, append([]int{batch}, chain[0].in...)...)
				for _, l := range seq.Layers {
					xl := randTensor(NewRand(2), -1, 1, append([]int{batch}, x.Shape[1:]...)...)
					y := l.Forward(xl)
					flops += 3 * convFlops(l, xl, y)
					if parallel == "gemm" {
						runs = append(runs, run{l, xl, randTensor(NewRand(3), -1, 1, y.Shape...)})
					}
					x = y
				}
				if parallel == "batch" {
					xc := randTensor(NewRand(2), -1, 1, append([]int{batch}, chain[0].in...)...)
					runs = append(runs, run{NewDataParallel(seq, build), xc, randTensor(NewRand(3), -1, 1, x.Shape...)})
				}
			}
			b.Run(fmt.Sprintf("arch=%s,batch=%d,parallel=%s", arch, batch, parallel), func(b *testing.B) {
				for b.Loop() {
					for _, r := range runs {
						r.l.Forward(r.x)
						r.l.Backward(r.dy)
					}
				}
				reportConv(b, flops)
			})
		}
	}
}
