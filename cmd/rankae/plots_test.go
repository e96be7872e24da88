package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestPlotLogCurveWritesPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sv.png")
	// Zeros are legal (exact rank): they sit on the floor of the log axis.
	if err := plotLogCurve(path, "singular values", "index", "σ/σ₀", nil, []float64{1, 0.5, 1e-3, 0}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if cfg.Width < 100 || cfg.Height < 100 {
		t.Errorf("plot is %d×%d pixels", cfg.Width, cfg.Height)
	}
}

func TestPlotLogCurveRejectsNaN(t *testing.T) {
	path := filepath.Join(t.TempDir(), "loss.png")
	if err := plotLogCurve(path, "loss", "step", "loss", nil, []float64{1, math.NaN()}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a plot was written despite the error")
	}
}

func TestLogTicksLabelPowersOfTenExactly(t *testing.T) {
	n := 0
	for _, tk := range logTicks.Ticks(1e-10, 1) {
		if tk.Label == "" {
			continue
		}
		n++
		if v, err := strconv.ParseFloat(tk.Label, 64); err != nil || len(tk.Label) > 6 || math.Abs(math.Log10(v)-math.Round(math.Log10(v))) > 1e-12 {
			t.Errorf("tick at %g labelled %q, want a power of ten in a few characters", tk.Value, tk.Label)
		}
	}
	if n < 5 {
		t.Errorf("%d labelled ticks between 1e-10 and 1", n)
	}
}
