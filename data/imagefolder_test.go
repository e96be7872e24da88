package data

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePNG(t *testing.T, path string, w, h int, f func(x, y int) color.NRGBA) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, f(x, y))
		}
	}
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if err := png.Encode(fh, img); err != nil {
		t.Fatal(err)
	}
}

func TestReadImageFolder(t *testing.T) {
	dir := t.TempDir()
	// 6×4 images: pixel (x, y) = (10x, 20y, k); the crop keeps columns 1..4.
	for k, name := range []string{"b.png", "a.png", "c.PNG"} {
		writePNG(t, filepath.Join(dir, name), 6, 4, func(x, y int) color.NRGBA {
			return color.NRGBA{uint8(10 * x), uint8(20 * y), uint8(k), 255}
		})
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644)

	d, err := ReadImageFolder(dir, ImageOptions{Crop: 4})
	if err != nil {
		t.Fatal(err)
	}
	if d.Shape() != [4]int{3, 3, 4, 4} {
		t.Fatalf("shape %v", d.Shape())
	}
	// Name order: a.png (k=1), b.png (k=0), c.PNG (k=2).
	for i, k := range []int{1, 0, 2} {
		s := d.Sample(i)
		for y := 0; y < 4; y++ {
			for x := 0; x < 4; x++ {
				r, g, b := s[y*4+x], s[16+y*4+x], s[32+y*4+x]
				if r != float32(10*(x+1))/255 || g != float32(20*y)/255 || b != float32(k)/255 {
					t.Fatalf("sample %d (%d, %d) = %v %v %v", i, x, y, r, g, b)
				}
			}
		}
	}

	g, err := ReadImageFolder(dir, ImageOptions{Gray: true, Size: 8, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if g.Shape() != [4]int{2, 1, 8, 8} {
		t.Fatalf("gray shape %v", g.Shape())
	}

	if _, err := ReadImageFolder(dir, ImageOptions{Crop: 5}); err == nil || !strings.Contains(err.Error(), "smaller than the 5×5 crop") {
		t.Fatalf("crop too large: %v", err)
	}
	writePNG(t, filepath.Join(dir, "d.png"), 3, 3, func(x, y int) color.NRGBA { return color.NRGBA{A: 255} })
	if _, err := ReadImageFolder(dir, ImageOptions{}); err == nil || !strings.Contains(err.Error(), "set ImageOptions.Size") {
		t.Fatalf("mixed sizes: %v", err)
	}
	if _, err := ReadImageFolder(t.TempDir(), ImageOptions{}); err == nil || !strings.Contains(err.Error(), "no image files") {
		t.Fatalf("empty folder: %v", err)
	}
	bad := filepath.Join(dir, "e.png")
	os.WriteFile(bad, []byte("garbage"), 0o644)
	if _, err := ReadImage(bad, ImageOptions{}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("corrupt file: %v", err)
	}
}
