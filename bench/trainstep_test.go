package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rankae/rankae/ae"
	"github.com/rankae/rankae/layers"
	"github.com/rankae/rankae/linalg"
)

// The two architectures of pytorch_train_step.py: IRMAE-MNIST (irmae.txt
// Table 3 on 32×32×1, latent 128, l = 8) and RRAE-MNIST (rrae.txt Appendix
// C on 28×28×1, L = 64, truncated SVD with k = 16 in the latent).
var trainStepModels = []struct {
	name string
	cfg  ae.Config
}{
	{"irmae-mnist", ae.Config{Model: "irmae", Arch: "irmae-mnist", InShape: [3]int{1, 32, 32}, L: 128, IRMAE: 8, Seed: 1}},
	{"rrae-mnist", ae.Config{Model: "rrae", Arch: "rrae-conv", InShape: [3]int{1, 28, 28}, L: 64, K: 16, Seed: 1}},
}

// trainStep builds the model, an MSE loss and Adam (lr 1e-4, as the
// PyTorch script) on a random batch in [0, 1), and returns one step.
func trainStep(tb testing.TB, cfg ae.Config, batch int) func() float32 {
	m, err := ae.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	x := layers.NewTensor(batch, cfg.InShape[0], cfg.InShape[1], cfg.InShape[2])
	r := rand.New(rand.NewPCG(1, 2))
	for i := range x.Data {
		x.Data[i] = r.Float32()
	}
	loss := layers.NewMSE()
	opt := layers.NewAdam(m.Params(), 1e-4)
	return func() float32 {
		l := loss.Forward(m.Forward(x), x)
		m.Backward(loss.Backward())
		opt.Step()
		opt.ZeroGrad()
		return l
	}
}

// BenchmarkTrainStep reports images/s of a full training step at the
// benchmark's thread count (linalg.Threads, GOMAXPROCS by default).
func BenchmarkTrainStep(b *testing.B) {
	for _, mdl := range trainStepModels {
		for _, batch := range []int{32, 128} {
			b.Run(fmt.Sprintf("model=%s,batch=%d,threads=%d", mdl.name, batch, linalg.Threads()), func(b *testing.B) {
				step := trainStep(b, mdl.cfg, batch)
				for i := 0; i < 3; i++ { // warm-up: buffers reach their sizes
					step()
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					step()
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
			})
		}
	}
}

// TestTrainStepAllocatesNothing asserts the issue's "zero allocations per
// training step after warm-up" on both paper architectures. Two threads
// whatever GOMAXPROCS (AllocsPerRun sets it to 1), so that the steps run on
// two data-parallel replicas and hand work to the layers' workers; over five
// steps, so that the runtime's own occasional allocation (a goroutine
// parking after a collection emptied the runtime's caches) does not count as
// the step's, while one allocation per step still does.
func TestTrainStepAllocatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the full paper architectures")
	}
	defer linalg.SetThreads(linalg.SetThreads(2))
	for _, mdl := range trainStepModels {
		step := trainStep(t, mdl.cfg, 16)
		step()
		if a := testing.AllocsPerRun(5, func() { step() }); a != 0 {
			t.Errorf("%s: %v allocations per training step", mdl.name, a)
		}
	}
}

// TestTrainStepLowersTheLoss guards the benchmark against timing a broken
// step: a few steps on one batch must lower its loss.
func TestTrainStepLowersTheLoss(t *testing.T) {
	for _, mdl := range trainStepModels {
		step := trainStep(t, mdl.cfg, 16)
		first := step()
		var last float32
		for i := 0; i < 4; i++ {
			last = step()
		}
		if !(last < first) {
			t.Errorf("%s: loss %v after 4 more steps, %v at the first", mdl.name, last, first)
		}
	}
}
