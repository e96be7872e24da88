package ae

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rankae/rankae/layers"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	train, _ := smallBumps(t)
	cfg := Config{Model: "rrae", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 8, K: 2, Hidden: []int{16}, Seed: 4}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Train(context.Background(), m, train, TrainConfig{Steps: 30, Batch: 16, FineTune: 10, Seed: 1,
		Schedule: layers.NewSchedule(layers.Stage{Steps: 30, LR: 1e-3})}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := Save(path, m, cfg, nil, map[string]string{"dataset": "bumps"}); err != nil {
		t.Fatal(err)
	}
	m2, cfg2, meta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg2.Model != cfg.Model || cfg2.L != cfg.L || meta["dataset"] != "bumps" {
		t.Errorf("config %+v, metadata %v after the round trip", cfg2, meta)
	}
	x := layers.FromSlice(train.X[:4*256], 4, 1, 16, 16)
	want := append([]float32(nil), m.Forward(x).Data...)
	got := m2.Forward(x).Data
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("output %d: %v after loading, %v before", i, got[i], want[i])
		}
	}
}

func TestLoadRejectsForeignFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plain.safetensors")
	p := layers.NewParam("w", 2)
	if err := layers.SaveCheckpoint(path, []*layers.Param{p}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := Load(path); err == nil {
		t.Error("a checkpoint without a model configuration loaded")
	}
}

func TestResumeContinuesWithTheOptimizerState(t *testing.T) {
	train, _ := smallBumps(t)
	cfg := Config{Model: "long", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 4, Hidden: []int{16}, Seed: 4}
	sched := layers.NewSchedule(layers.Stage{Steps: 40, LR: 1e-3})
	m, _ := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Train(ctx, m, train, TrainConfig{Steps: 40, Batch: 16, Schedule: sched, Seed: 1,
		Progress: func(s StepInfo) {
			if s.Step == 20 {
				cancel()
			}
		}})
	if res.Steps != 20 || err == nil {
		t.Fatalf("interrupted run: %d steps, err %v", res.Steps, err)
	}
	path, m2 := saveAndLoad(t, m, cfg, res.Optimizer)
	res2, err := Train(context.Background(), m2, train, TrainConfig{Steps: 40, Batch: 16, Schedule: sched, Seed: 1, Start: 20, Resume: path})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Steps != 40 || len(res2.Losses) != 20 || res2.Optimizer.Steps() != 40 {
		t.Errorf("resumed run: reached step %d with %d losses, optimizer at step %d; want 40, 20, 40",
			res2.Steps, len(res2.Losses), res2.Optimizer.Steps())
	}
}

// A finished RRAE run resumed with more steps fine-tunes on: its checkpoint
// holds the basis and the decoder's optimizer state only, and the encoder
// stays frozen.
func TestResumeAfterFineTuningFineTunesOn(t *testing.T) {
	train, _ := smallBumps(t)
	cfg := Config{Model: "rrae", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 8, K: 2, Hidden: []int{16}, Seed: 4}
	sched := layers.NewSchedule(layers.Stage{Steps: 30, LR: 1e-3})
	m, _ := New(cfg)
	res, err := Train(context.Background(), m, train, TrainConfig{Steps: 30, Batch: 16, FineTune: 10, Seed: 1, Schedule: sched})
	if err != nil {
		t.Fatal(err)
	}
	path, m2 := saveAndLoad(t, m, cfg, res.Optimizer)
	encoder := func(m *Model) []float32 {
		var w []float32
		for _, p := range m.Params() {
			if strings.HasPrefix(p.Name, "encoder.") {
				w = append(w, p.Value.Data...)
			}
		}
		return w
	}
	before := encoder(m2)
	phases := map[string]int{}
	res2, err := Train(context.Background(), m2, train, TrainConfig{Steps: 40, Batch: 16, FineTune: 10, Seed: 1, Schedule: sched,
		Start: 30, Resume: path, Progress: func(s StepInfo) { phases[s.Phase]++ }})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Steps != 40 || phases["fine-tune"] != 10 || len(phases) != 1 {
		t.Errorf("resumed run reached step %d in phases %v; want 40, all 10 steps fine-tuning", res2.Steps, phases)
	}
	if !slices.Equal(before, encoder(m2)) {
		t.Error("the encoder changed while fine-tuning on")
	}
}

// saveAndLoad writes m with the optimizer state to a checkpoint in a
// temporary folder and returns its path and the model loaded back from it.
func saveAndLoad(t *testing.T, m *Model, cfg Config, opt layers.Optimizer) (string, *Model) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := Save(path, m, cfg, opt, nil); err != nil {
		t.Fatal(err)
	}
	m2, _, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, m2
}
