package data

import (
	"fmt"
	"math"
)

// Resize returns a copy of d with every image resampled to h×w by bilinear
// (triangle-filter) interpolation, computed as Pillow's Image.resize with
// BILINEAR, which is what torchvision's transforms.Resize applies to the
// PIL images of the IRMAE reference (MNIST 28×28 → 32×32): pixel centres
// aligned (align_corners=False), the filter widened by the scale factor
// when shrinking (antialiasing), weights renormalised at the borders,
// separable (horizontal pass, then vertical). Pillow rounds 8-bit images
// to integers between and after the passes; this works in float, so the
// values differ from Pillow's by less than one grey level (1/255).
// Labels and parameters are copied. It panics if h or w < 1.
func Resize(d *Dataset, h, w int) *Dataset {
	if h < 1 || w < 1 {
		panic(fmt.Sprintf("data: Resize: size %d×%d", h, w))
	}
	out := NewDataset(d.N, d.C, h, w)
	copyMeta(out, d)
	if d.H == 0 || d.W == 0 {
		return out
	}
	kx := resampleCoeffs(d.W, w)
	ky := resampleCoeffs(d.H, h)
	tmp := make([]float64, d.H*w)
	for p := 0; p < d.N*d.C; p++ {
		src := d.X[p*d.H*d.W : (p+1)*d.H*d.W]
		dst := out.X[p*h*w : (p+1)*h*w]
		for y := 0; y < d.H; y++ {
			row := src[y*d.W : (y+1)*d.W]
			for x, c := range kx {
				var s float64
				for k, wt := range c.w {
					s += wt * float64(row[c.lo+k])
				}
				tmp[y*w+x] = s
			}
		}
		for y, c := range ky {
			for x := 0; x < w; x++ {
				var s float64
				for k, wt := range c.w {
					s += wt * tmp[(c.lo+k)*w+x]
				}
				dst[y*w+x] = float32(s)
			}
		}
	}
	return out
}

type resampleCoeff struct {
	lo int
	w  []float64
}

// resampleCoeffs follows Pillow's precompute_coeffs (libImaging/Resample.c)
// for the bilinear filter (support 1).
func resampleCoeffs(in, out int) []resampleCoeff {
	scale := float64(in) / float64(out)
	fscale := max(scale, 1)
	support := fscale
	cs := make([]resampleCoeff, out)
	for i := range cs {
		center := (float64(i) + 0.5) * scale
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		w := make([]float64, hi-lo)
		var sum float64
		for k := range w {
			t := math.Abs((float64(k+lo) - center + 0.5) / fscale)
			if t < 1 {
				w[k] = 1 - t
			}
			sum += w[k]
		}
		if sum != 0 {
			for k := range w {
				w[k] /= sum
			}
		}
		cs[i] = resampleCoeff{lo: lo, w: w}
	}
	return cs
}

// PadTo returns a copy of d with every image centred on an h×w canvas of
// value (floor of half the excess above and to the left: 28 → 32 pads 2 on
// each side). Labels and parameters are copied. It panics if h < d.H or
// w < d.W.
func PadTo(d *Dataset, h, w int, value float32) *Dataset {
	if h < d.H || w < d.W {
		panic(fmt.Sprintf("data: PadTo: %d×%d is smaller than %d×%d", h, w, d.H, d.W))
	}
	out := NewDataset(d.N, d.C, h, w)
	copyMeta(out, d)
	top, left := (h-d.H)/2, (w-d.W)/2
	for p := 0; p < d.N*d.C; p++ {
		dst := out.X[p*h*w : (p+1)*h*w]
		if value != 0 {
			for i := range dst {
				dst[i] = value
			}
		}
		src := d.X[p*d.H*d.W : (p+1)*d.H*d.W]
		for y := 0; y < d.H; y++ {
			copy(dst[(top+y)*w+left:], src[y*d.W:(y+1)*d.W])
		}
	}
	return out
}

func copyMeta(dst, src *Dataset) {
	if src.Labels != nil {
		dst.Labels = append([]int(nil), src.Labels...)
	}
	if src.Params != nil {
		dst.Params = append([]float32(nil), src.Params...)
		dst.NumParams = src.NumParams
	}
}
