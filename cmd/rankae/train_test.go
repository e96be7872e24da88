package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rankae/rankae/layers"
)

// rankae train writes its outputs and picks the optimizer by model: AdaBelief
// (the RRAE reference code's) for aRRAE, Adam otherwise, unless -optimizer
// says; the checkpoint's optimizer state names tell which ran.
func TestTrainCommandOptimizerDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three small models (minutes under emulation)")
	}
	for _, c := range []struct {
		args   []string
		second string // name of the second moment in the checkpoint
	}{
		{[]string{"-model", "arrae"}, "exp_avg_var"},
		{[]string{"-model", "arrae", "-optimizer", "adam", "-loss", "mse"}, "exp_avg_sq"},
		{[]string{"-model", "rrae", "-k", "2"}, "exp_avg_sq"},
	} {
		out := t.TempDir()
		args := append([]string{"-size", "16", "-steps", "20", "-finetune", "5", "-batch", "16", "-threads", "1", "-out", out}, c.args...)
		if err := trainCommand(args); err != nil {
			t.Fatalf("rankae train %v: %v", c.args, err)
		}
		for _, f := range []string{"metrics.json", "samples.png", "loss.png", checkpointFile} {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Errorf("rankae train %v: %v", c.args, err)
			}
		}
		var metrics map[string]any
		if b, err := os.ReadFile(filepath.Join(out, "metrics.json")); err != nil || json.Unmarshal(b, &metrics) != nil {
			t.Fatalf("rankae train %v: unreadable metrics.json", c.args)
		}
		file, err := os.ReadFile(filepath.Join(out, checkpointFile))
		if err != nil {
			t.Fatal(err)
		}
		st, err := layers.ReadSafetensors(file)
		if err != nil {
			t.Fatal(err)
		}
		want := "optimizer.decoder.0.weight." + c.second // the fine-tuning's optimizer
		if st.Tensors[want] == nil {
			t.Errorf("rankae train %v: checkpoint has no %s; it has %v", c.args, want, slices.Sorted(maps.Keys(st.Tensors)))
		}
	}
}
