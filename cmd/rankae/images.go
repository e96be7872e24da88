package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// writeGrid saves n images of c×h×w float32 values (c = 1 or 3, NCHW order in
// pix) as one PNG with cols images per row, each pixel scale×scale. Values
// are mapped linearly from [lo, hi] to [0, 255] and clipped, so that all
// images of a grid share one scale.
func writeGrid(path string, pix []float32, n, c, h, w, cols, scale int, lo, hi float32) error {
	if c != 1 && c != 3 {
		return fmt.Errorf("writeGrid %s: %d channels, want 1 or 3", path, c)
	}
	if len(pix) < n*c*h*w {
		return fmt.Errorf("writeGrid %s: %d values for %d images of %d×%d×%d", path, len(pix), n, c, h, w)
	}
	if n == 0 {
		return fmt.Errorf("writeGrid %s: no images", path)
	}
	cols = min(cols, n)
	rows := (n + cols - 1) / cols
	const gap = 1
	cell := func(d int) int { return d*scale + gap }
	img := image.NewRGBA(image.Rect(0, 0, cols*cell(w)+gap, rows*cell(h)+gap))
	for i := range img.Pix {
		img.Pix[i] = 255 // white gaps
	}
	level := func(v float32) uint8 {
		t := (float64(v) - float64(lo)) / math.Max(float64(hi-lo), 1e-30)
		return uint8(math.Round(255 * math.Min(1, math.Max(0, t))))
	}
	plane := h * w
	for k := 0; k < n; k++ {
		x0, y0 := (k%cols)*cell(w)+gap, (k/cols)*cell(h)+gap
		im := pix[k*c*plane:]
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var px color.RGBA
				if c == 1 {
					g := level(im[y*w+x])
					px = color.RGBA{g, g, g, 255}
				} else {
					px = color.RGBA{level(im[y*w+x]), level(im[plane+y*w+x]), level(im[2*plane+y*w+x]), 255}
				}
				for dy := 0; dy < scale; dy++ {
					for dx := 0; dx < scale; dx++ {
						img.SetRGBA(x0+x*scale+dx, y0+y*scale+dy, px)
					}
				}
			}
		}
	}
	return writePNG(path, img)
}

// writePNG encodes img to path through a temporary file, so that an
// interrupted run never leaves a truncated image behind.
func writePNG(path string, img image.Image) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.png")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := png.Encode(tmp, img); err != nil {
		tmp.Close()
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes it 0600
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
