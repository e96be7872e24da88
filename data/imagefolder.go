package data

import (
	"fmt"
	"image"
	_ "image/gif" // decoders registered for ReadImage
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ImageOptions says how ReadImage and ReadImageFolder turn a picture into a
// sample, in the order of the reference's torchvision transforms: centre
// crop, resize, then values in [0,1] (ToTensor).
type ImageOptions struct {
	Crop  int  // centre-crop to Crop×Crop first (0: no crop); CelebA in IRMAE: 148
	Size  int  // then resize to Size×Size with Resize's filter (0: keep); CelebA: 64
	Gray  bool // one channel, Pillow's luma L = (299R + 587G + 114B)/1000, instead of RGB
	Limit int  // ReadImageFolder: at most this many files, in name order (0: all)
}

// imageExts are the file suffixes ReadImageFolder reads.
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif"}

// ListImages returns the paths of the PNG, JPEG and GIF files directly in
// dir, sorted by name.
func ListImages(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() || !slices.Contains(imageExts, strings.ToLower(filepath.Ext(e.Name()))) {
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out, nil
}

// ReadImage decodes the picture at path into a one-sample Dataset (C = 3,
// or 1 with Gray) with values in [0,1], cropped and resized as opt says.
func ReadImage(path string, opt ImageOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	r := img.Bounds()
	if opt.Crop > 0 {
		if opt.Crop > r.Dx() || opt.Crop > r.Dy() {
			return nil, fmt.Errorf("data: %s: %d×%d image is smaller than the %d×%d crop", path, r.Dx(), r.Dy(), opt.Crop, opt.Crop)
		}
		// torchvision's CenterCrop: offsets round((size − crop)/2).
		top := int(math.RoundToEven(float64(r.Dy()-opt.Crop) / 2))
		left := int(math.RoundToEven(float64(r.Dx()-opt.Crop) / 2))
		r = image.Rect(r.Min.X+left, r.Min.Y+top, r.Min.X+left+opt.Crop, r.Min.Y+top+opt.Crop)
	}
	c := 3
	if opt.Gray {
		c = 1
	}
	h, w := r.Dy(), r.Dx()
	d := NewDataset(1, c, h, w)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// 16-bit premultiplied components; scaled to 8 bits as Pillow sees them.
			cr, cg, cb, _ := img.At(r.Min.X+x, r.Min.Y+y).RGBA()
			R, G, B := float32(cr>>8), float32(cg>>8), float32(cb>>8)
			if opt.Gray {
				d.X[y*w+x] = float32(math.Floor(float64(R*299+G*587+B*114)/1000)) / 255
			} else {
				d.X[y*w+x], d.X[h*w+y*w+x], d.X[2*h*w+y*w+x] = R/255, G/255, B/255
			}
		}
	}
	if opt.Size > 0 && (opt.Size != h || opt.Size != w) {
		d = Resize(d, opt.Size, opt.Size)
	}
	return d, nil
}

// ReadImageFolder reads the pictures of ListImages(dir) (at most opt.Limit)
// into one Dataset, without labels. All must come out of ImageOptions with
// one size (set Size when the files differ). The whole set is held in
// memory: 4 bytes per value.
func ReadImageFolder(dir string, opt ImageOptions) (*Dataset, error) {
	paths, err := ListImages(dir)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("data: no image files (%s) in %s", strings.Join(imageExts, ", "), dir)
	}
	if opt.Limit > 0 && len(paths) > opt.Limit {
		paths = paths[:opt.Limit]
	}
	var out *Dataset
	for i, p := range paths {
		s, err := ReadImage(p, opt)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = NewDataset(len(paths), s.C, s.H, s.W)
		} else if s.C != out.C || s.H != out.H || s.W != out.W {
			return nil, fmt.Errorf("data: %s is %d×%d×%d, %s was %d×%d×%d: set ImageOptions.Size", p, s.C, s.H, s.W, paths[0], out.C, out.H, out.W)
		}
		copy(out.Sample(i), s.X)
	}
	return out, nil
}
