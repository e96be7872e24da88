package main

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
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
