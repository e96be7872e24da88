package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteGridLayoutAndScale(t *testing.T) {
	// Three 2×2 grey images: all black, all white, and a ramp.
	pix := []float32{0, 0, 0, 0, 1, 1, 1, 1, 0, 0.5, 0.5, 1}
	path := filepath.Join(t.TempDir(), "grid.png")
	if err := writeGrid(path, pix, 3, 1, 2, 2, 2, 3, 0, 1); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 2 columns and 2 rows of 6-pixel cells with 1-pixel gaps.
	if b := img.Bounds(); b.Dx() != 2*7+1 || b.Dy() != 2*7+1 {
		t.Fatalf("grid is %v, want 15×15", b)
	}
	grey := func(x, y int) uint32 { r, _, _, _ := img.At(x, y).RGBA(); return r >> 8 }
	for _, c := range []struct {
		x, y int
		want uint32
	}{
		{1, 1, 0}, {6, 6, 0}, // image 0, black
		{8, 1, 255},                                        // image 1, white
		{1, 8, 0}, {4, 8, 128}, {1, 11, 128}, {4, 11, 255}, // image 2, the ramp
		{0, 0, 255}, {7, 3, 255}, // gaps
	} {
		if got := grey(c.x, c.y); got != c.want {
			t.Errorf("pixel (%d,%d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}

func TestWriteGridRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	if err := writeGrid(filepath.Join(dir, "a.png"), make([]float32, 8), 1, 2, 2, 2, 1, 1, 0, 1); err == nil {
		t.Error("2 channels accepted")
	}
	if err := writeGrid(filepath.Join(dir, "b.png"), make([]float32, 3), 1, 1, 2, 2, 1, 1, 0, 1); err == nil {
		t.Error("short pixel slice accepted")
	}
}

// TestWritePNGIsReadableByAll: the images are results to share, not private
// files, even though they go through a 0600 temporary file.
func TestWritePNGIsReadableByAll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.png")
	if err := writePNG(path, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
}
