package layers

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rankae/rankae/linalg"
)

// dataParallelNet is a small network of every kind of layer that runs image
// by image: its encoder half (convolutions, a Linear) and decoder half
// (Linear, transposed convolutions).
func dataParallelNet(seed uint64) Layer {
	rng := NewRand(seed)
	return NewSequential(
		NewConv2D(2, 4, 3, 3, 2, 1, rng), NewReLU(),
		NewConv2D(4, 6, 3, 3, 1, 1, rng), NewTanh(),
		NewFlatten(), NewLinear(6*4*4, 10, rng),
		NewLinear(10, 5*4*4, rng), NewReshape(5, 4, 4),
		NewConvTranspose2D(5, 3, 3, 3, 2, 1, 1, rng), NewSigmoid(),
		NewConv2D(3, 2, 3, 3, 1, 1, rng))
}

func maxRelDiff(got, want []float32) float64 {
	var d, n float64
	for i := range want {
		d = math.Max(d, math.Abs(float64(got[i]-want[i])))
		n = math.Max(n, math.Abs(float64(want[i])))
	}
	return d / n
}

// TestDataParallelMatchesLayer runs a batch through the network and through
// its data-parallel wrapper (replicas on parts of the batch), twice, so that
// the gradients accumulate: outputs, input gradients and parameter
// gradients must agree to float32 rounding (the parts' weight gradients are
// summed in another order), and the replicas must have shared the values.
func TestDataParallelMatchesLayer(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		for _, batch := range []int{7, 16, 29} {
			func() {
				defer linalg.SetThreads(linalg.SetThreads(threads))
				ref := dataParallelNet(1)
				dp := NewDataParallel(dataParallelNet(1), func() Layer { return dataParallelNet(99) })
				rng := NewRand(5)
				for round := 0; round < 2; round++ {
					x := randTensor(rng, -1, 1, batch, 2, 8, 8)
					dy := randTensor(rng, -1, 1, batch, 2, 8, 8)
					want, got := ref.Forward(x), dp.Forward(x)
					if e := maxRelDiff(got.Data, want.Data); !got.SameShape(want) || e > 1e-6 {
						t.Fatalf("threads=%d batch=%d: output %v differs from %v by %.3g", threads, batch, got.Shape, want.Shape, e)
					}
					wantDx, gotDx := ref.Backward(dy), dp.Backward(dy)
					if e := maxRelDiff(gotDx.Data, wantDx.Data); !gotDx.SameShape(wantDx) || e > 1e-5 {
						t.Fatalf("threads=%d batch=%d: dx differs by %.3g", threads, batch, e)
					}
				}
				if want := min(threads, batch/dataParallelMinPart); dp.parts != max(want, 1) {
					t.Errorf("threads=%d batch=%d: %d parts, want %d", threads, batch, dp.parts, max(want, 1))
				}
				for j, p := range dp.Params() {
					q := ref.Params()[j]
					if e := maxRelDiff(p.Grad.Data, q.Grad.Data); e > 1e-5 {
						t.Errorf("threads=%d batch=%d: %s gradient differs by %.3g", threads, batch, p.Name, e)
					}
				}
				for i := 1; i < len(dp.replicas); i++ {
					for j, p := range dp.params[i] {
						if &p.Value.Data[0] != &dp.params[0][j].Value.Data[0] {
							t.Fatalf("replica %d does not share %s", i, p.Name)
						}
						for _, g := range p.Grad.Data {
							if g != 0 {
								t.Fatalf("replica %d keeps a gradient in %s after Backward", i, p.Name)
							}
						}
					}
				}
			}()
		}
	}
}

// TestDataParallelConvs runs an encoder-like and a decoder-like network as
// they are and as DataParallelConvs arranges them (the convolutions on parts
// of the batch, the Linear layers around them on the whole batch), twice so
// that the gradients accumulate: outputs, input gradients and parameter
// gradients must agree to float32 rounding.
func TestDataParallelConvs(t *testing.T) {
	inputs := map[string][]int{"encoder": {2, 8, 8}, "decoder": {2 * 8 * 8}}
	nets := map[string]func(seed uint64) *Sequential{
		"encoder": func(seed uint64) *Sequential {
			rng := NewRand(seed)
			return NewSequential(NewConv2D(2, 4, 3, 3, 2, 1, rng), NewReLU(), NewConv2D(4, 6, 3, 3, 1, 1, rng),
				NewFlatten(), NewLinear(6*4*4, 10, rng), NewTanh())
		},
		"decoder": func(seed uint64) *Sequential {
			rng := NewRand(seed)
			return NewSequential(NewLinear(2*8*8, 5*4*4, rng), NewReshape(5, 4, 4),
				NewConvTranspose2D(5, 3, 3, 3, 2, 1, 1, rng), NewSigmoid(), NewConv2D(3, 2, 3, 3, 1, 1, rng), NewTanh())
		},
	}
	for name, net := range nets {
		for _, threads := range []int{1, 2, 3} {
			for _, batch := range []int{7, 16, 29} {
				func() {
					defer linalg.SetThreads(linalg.SetThreads(threads))
					ref, seq := net(1), net(1)
					run := DataParallelConvs(seq, func() *Sequential { return net(99) })
					wrapped := slices.IndexFunc(run.Layers, func(l Layer) bool { _, ok := l.(*DataParallel); return ok })
					if wrapped < 0 || len(run.Layers) != 4 {
						t.Fatalf("%s: %d layers, want the convolutions as one and the 3 others", name, len(run.Layers))
					}
					rng := NewRand(5)
					for round := 0; round < 2; round++ {
						x := randTensor(rng, -1, 1, append([]int{batch}, inputs[name]...)...)
						want, got := ref.Forward(x), run.Forward(x)
						if e := maxRelDiff(got.Data, want.Data); !got.SameShape(want) || e > 1e-6 {
							t.Fatalf("%s threads=%d batch=%d: output differs by %.3g", name, threads, batch, e)
						}
						dy := randTensor(rng, -1, 1, want.Shape...)
						wantDx, gotDx := ref.Backward(dy), run.Backward(dy)
						if e := maxRelDiff(gotDx.Data, wantDx.Data); !gotDx.SameShape(wantDx) || e > 1e-5 {
							t.Fatalf("%s threads=%d batch=%d: dx differs by %.3g", name, threads, batch, e)
						}
					}
					for j, p := range seq.Params() {
						q := ref.Params()[j]
						if e := maxRelDiff(p.Grad.Data, q.Grad.Data); e > 1e-5 {
							t.Errorf("%s threads=%d batch=%d: %s gradient differs by %.3g", name, threads, batch, p.Name, e)
						}
					}
				}()
			}
		}
	}
	rng := NewRand(1)
	mlp := NewSequential(NewLinear(4, 3, rng), NewReLU())
	if got := DataParallelConvs(mlp, nil); got != mlp {
		t.Errorf("a network without convolutions came back as %v", got)
	}

	defer linalg.SetThreads(linalg.SetThreads(2))
	short := DataParallelConvs(nets["encoder"](1), func() *Sequential { return NewSequential(NewConv2D(2, 4, 3, 3, 2, 1, rng)) })
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "DataParallelConvs: build made 1 layers, not 6") {
			t.Errorf("a build of another network: recovered %v", r)
		}
	}()
	short.Forward(randTensor(rng, -1, 1, 16, 2, 8, 8))
}

// TestDataParallelBuildMismatch asserts the clear panic when build makes a
// layer whose parameters are not the wrapped one's.
func TestDataParallelBuildMismatch(t *testing.T) {
	defer linalg.SetThreads(linalg.SetThreads(2))
	rng := NewRand(1)
	dp := NewDataParallel(NewLinear(4, 3, rng), func() Layer { return NewLinear(4, 2, rng) })
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "DataParallel: build made parameter") {
			t.Fatalf("recovered %v", r)
		}
	}()
	dp.Forward(randTensor(rng, -1, 1, 16, 4))
}

// TestDataParallelBackwardMisuse asserts the panics of a Backward without a
// Forward and of a gradient for another batch.
func TestDataParallelBackwardMisuse(t *testing.T) {
	rng := NewRand(1)
	dp := NewDataParallel(NewLinear(4, 3, rng), func() Layer { return NewLinear(4, 3, rng) })
	for _, tc := range []struct {
		name    string
		forward int
	}{{"no Forward", 0}, {"another batch", 16}} {
		if tc.forward > 0 {
			dp.Forward(randTensor(rng, -1, 1, tc.forward, 4))
		}
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "DataParallel.Backward") {
					t.Errorf("%s: recovered %v", tc.name, r)
				}
			}()
			dp.Backward(randTensor(rng, -1, 1, 8, 3))
		}()
	}
}

// TestAcquireHelpers checks the helper count against Threads() − 1 as calls
// take and give back helpers.
func TestAcquireHelpers(t *testing.T) {
	defer linalg.SetThreads(linalg.SetThreads(4))
	a := linalg.AcquireHelpers(2)
	b := linalg.AcquireHelpers(5)
	c := linalg.AcquireHelpers(1)
	if a != 2 || b != 1 || c != 0 {
		t.Fatalf("acquired %d, %d, %d of 3 helpers; want 2, 1, 0", a, b, c)
	}
	linalg.ReleaseHelpers(a)
	if d := linalg.AcquireHelpers(3); d != 2 {
		t.Fatalf("acquired %d after giving back 2; want 2", d)
	} else {
		linalg.ReleaseHelpers(d)
	}
	linalg.ReleaseHelpers(b)
	if e := linalg.AcquireHelpers(0); e != 0 {
		t.Fatalf("acquired %d when asking none", e)
	}
}
