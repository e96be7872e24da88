package ae

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/rankae/rankae/data"
	"github.com/rankae/rankae/layers"
)

// smallBumps is a 16×16 version of the paper's bumps: 64 training images
// with two generating parameters, normalised.
func smallBumps(t *testing.T) (train, test *data.Dataset) {
	t.Helper()
	cfg := data.DefaultBumpConfig()
	cfg.Size, cfg.Side, cfg.NumTest = 16, 8, 32
	train, test, err := data.GaussianBumps(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	norm := data.FitNormalizer(train.X)
	norm.Apply(train.X)
	norm.Apply(test.X)
	return train, test
}

// RRAE trains (the loss at least halves) and projects onto its final basis,
// with the defaults (Adam, MSE) and with the reference code's AdaBelief and
// batch relative error.
func TestRRAETrainsAndProjects(t *testing.T) {
	for _, c := range []struct{ name, optimizer, loss string }{{"defaults", "", ""}, {"reference", "adabelief", "relative-batch"}} {
		t.Run(c.name, func(t *testing.T) { testRRAETrainsAndProjects(t, c.optimizer, c.loss) })
	}
}

func testRRAETrainsAndProjects(t *testing.T, optimizer, loss string) {
	train, _ := smallBumps(t)
	m, err := New(Config{Model: "rrae", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 16, K: 2, Hidden: []int{64}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(context.Background(), m, train, TrainConfig{
		Steps: 400, Batch: 16, Schedule: layers.NewSchedule(layers.Stage{Steps: 400, LR: 1e-3}), Seed: 1, FineTune: 100,
		Optimizer: optimizer, Loss: loss,
	})
	if err != nil {
		t.Fatal(err)
	}
	first, last := mean(res.Losses[:20]), mean(res.Losses[len(res.Losses)-20:])
	if loss != "" {
		first, last = first*first, last*last // a norm, not its square
	}
	if !(last < first/2) {
		t.Errorf("loss (squared) went from %.4g to %.4g, want at least halved", first, last)
	}
	r := m.Latent.(*RRAELatent)
	if len(r.Basis) != 16*2 {
		t.Fatalf("basis has %d values, want 16×2", len(r.Basis))
	}
	// U_f has orthonormal columns.
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			var d float64
			for i := 0; i < 16; i++ {
				d += float64(r.Basis[i*2+a]) * float64(r.Basis[i*2+b])
			}
			if want := map[bool]float64{true: 1, false: 0}[a == b]; math.Abs(d-want) > 1e-4 {
				t.Errorf("U_fᵀU_f[%d,%d] = %v, want %v", a, b, d, want)
			}
		}
	}
	// At inference every latent lies in span(U_f): rank 2 at most.
	x := layers.FromSlice(train.X[:16*256], 16, 1, 16, 16)
	y := m.Latent.Forward(m.Encode(x))
	s, err := normalizedSingularValues(16, 16, y.Data)
	if err != nil {
		t.Fatal(err)
	}
	if s[2] > 1e-4 {
		t.Errorf("projected latents have σ₃/σ₁ = %g, want rank 2", s[2])
	}
}

func TestAdaptiveRRAEReducesRank(t *testing.T) {
	train, _ := smallBumps(t)
	m, err := New(Config{Model: "arrae", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 8, Hidden: []int{64}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	opt := AdaptiveOptions{PatienceInit: 20, Patience: 100}
	res, err := Train(context.Background(), m, train, TrainConfig{
		Steps: 1500, Batch: 16, Schedule: layers.NewSchedule(layers.Stage{Steps: 1500, LR: 1e-3}), Seed: 1, FineTune: 100, Adaptive: &opt,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) == 0 || res.K >= 8 {
		t.Fatalf("aRRAE never lowered the rank from 8: k = %d, changes %+v", res.K, res.Changes)
	}
	t.Logf("aRRAE: k = %d, changes %+v", res.K, res.Changes)
}

// An aRRAE search that has not settled when the fine-tuning is due runs on
// (MaxSteps), settles, trains at its rank until Patience steps were
// stagnant and fine-tunes, at FineTuneLR for the last FineTune steps;
// with too small a MaxSteps it stops at the cap instead.
func TestAdaptiveSearchRunsPastSteps(t *testing.T) {
	train, _ := smallBumps(t)
	const steps, fineTune, patience = 200, 50, 100
	const lr, fineTuneLR = 1e-3, 1e-4
	run := func(maxSteps int) *TrainResult {
		m, err := New(Config{Model: "arrae", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 8, Hidden: []int{64}, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		opt := AdaptiveOptions{PatienceInit: 20, Patience: patience}
		var lastInfo StepInfo
		var tuned, badLR int
		res, err := Train(context.Background(), m, train, TrainConfig{
			Steps: steps, Batch: 16, Schedule: layers.NewSchedule(layers.Stage{Steps: steps, LR: lr}), Seed: 1,
			FineTune: fineTune, FineTuneLR: fineTuneLR, Adaptive: &opt, MaxSteps: maxSteps,
			Progress: func(s StepInfo) {
				lastInfo = s
				want := lr
				if s.Phase == "fine-tune" {
					want = fineTuneLR
					tuned++
				}
				if s.LR != want {
					badLR++
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if tuned != fineTune || badLR != 0 {
			t.Errorf("MaxSteps %d: %d fine-tuning steps (want %d), %d steps at the wrong learning rate", maxSteps, tuned, fineTune, badLR)
		}
		if lastInfo.Step != res.Steps || lastInfo.Steps != res.Steps || res.Planned != res.Steps || len(res.Losses) != res.Steps {
			t.Errorf("MaxSteps %d: ran %d steps, %d losses, planned %d, last progress %d of %d: want all equal",
				maxSteps, res.Steps, len(res.Losses), res.Planned, lastInfo.Step, lastInfo.Steps)
		}
		if lastInfo.Phase != "fine-tune" {
			t.Errorf("MaxSteps %d: last phase %q, want fine-tune", maxSteps, lastInfo.Phase)
		}
		return res
	}
	res := run(20000)
	if res.KChosen < steps-fineTune {
		t.Fatalf("the search settled at step %d, before the fine-tuning was due (%d): the test needs a slower search", res.KChosen, steps-fineTune)
	}
	// After settling it trains until the loss has been within 5 % of its
	// 20-step average (the current loss included) for patience steps, the
	// last of which ends the closing phase; then it fine-tunes.
	closing := res.Losses[:res.Steps-fineTune]
	stagnant := 0
	for i := res.KChosen + 1; i < len(closing); i++ {
		avg := mean(res.Losses[i-19 : i+1])
		if math.Abs(res.Losses[i]-avg)/avg < 0.05 {
			stagnant++
		} else if i == len(closing)-1 {
			t.Errorf("the closing phase ended on a step that was not stagnant")
		}
	}
	if stagnant != patience {
		t.Errorf("settled at step %d, fine-tuned from step %d after %d stagnant steps; want %d", res.KChosen, len(closing), stagnant, patience)
	}
	t.Logf("settled on k = %d at step %d; changes %+v", res.K, res.KChosen, res.Changes)

	capped := run(steps + 100)
	if capped.Steps != steps+100 || capped.KChosen >= 0 {
		t.Errorf("MaxSteps %d: ran %d steps, settled at %d; want the cap and no settling", steps+100, capped.Steps, capped.KChosen)
	}
}

func TestTrainStopsOnNonFiniteLoss(t *testing.T) {
	train, _ := smallBumps(t)
	m, err := New(Config{Model: "long", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 8, Hidden: []int{32}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// A learning rate of 1e30 blows the parameters up within a few steps.
	res, err := Train(context.Background(), m, train, TrainConfig{
		Steps: 200, Batch: 16, Schedule: layers.NewSchedule(layers.Stage{Steps: 200, LR: 1e30}), Seed: 1,
	})
	if !errors.Is(err, ErrNonFinite) {
		t.Fatalf("err = %v, want ErrNonFinite", err)
	}
	for i, l := range res.Losses {
		if !isFinite(l) {
			t.Fatalf("loss %d = %v recorded", i, l)
		}
	}
}

func TestTrainStopsOnCancel(t *testing.T) {
	train, _ := smallBumps(t)
	m, _ := New(Config{Model: "long", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 8, Hidden: []int{32}, Seed: 3})
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Train(ctx, m, train, TrainConfig{
		Steps: 1000, Batch: 16, Schedule: layers.NewSchedule(layers.Stage{Steps: 1000, LR: 1e-3}), Seed: 1,
		Progress: func(s StepInfo) {
			if s.Step == 5 {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) || res.Steps != 5 {
		t.Fatalf("err = %v after %d steps, want context.Canceled after 5", err, res.Steps)
	}
}

func TestTrainRejectsBadConfig(t *testing.T) {
	train, _ := smallBumps(t)
	m, _ := New(Config{Model: "rrae", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 32, K: 20, Seed: 3})
	_, err := Train(context.Background(), m, train, TrainConfig{Steps: 10, Batch: 16, Schedule: layers.NewSchedule(layers.Stage{Steps: 10, LR: 1e-3})})
	if err == nil {
		t.Error("k = 20 > batch 16 accepted")
	}
	if _, err := New(Config{Model: "vae?", Arch: "mlp", InShape: [3]int{1, 4, 4}, L: 2}); err == nil {
		t.Error("unknown model accepted")
	}
	m, _ = New(Config{Model: "rrae", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 16, K: 2, Seed: 3})
	for _, tc := range []TrainConfig{{Optimizer: "lbfgs"}, {Loss: "l1"}} {
		tc.Steps, tc.Batch, tc.Schedule = 10, 16, layers.NewSchedule(layers.Stage{Steps: 10, LR: 1e-3})
		if _, err := Train(context.Background(), m, train, tc); err == nil {
			t.Errorf("optimizer %q, loss %q accepted", tc.Optimizer, tc.Loss)
		}
	}
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
