package ae

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/rankae/rankae/data"
	"github.com/rankae/rankae/layers"
	"github.com/rankae/rankae/linalg"
)

// The evaluations of both papers. Images are compared in the data's own
// units: norm maps the model's (normalised) space back, as the papers report
// errors on the original images.

// evalBatch is the batch size of the evaluation passes; it does not change
// any result (inference has no batch coupling once RRAE has its basis).
const evalBatch = 64

// forEachBatch runs f on consecutive batches of ds in order (the last one
// shorter); lo is the index of the batch's first sample.
func forEachBatch(ds *data.Dataset, batch int, f func(lo int, x *layers.Tensor)) {
	x := layers.NewTensor(batch, ds.C, ds.H, ds.W)
	m := ds.SampleLen()
	for lo := 0; lo < ds.N; lo += batch {
		n := min(batch, ds.N-lo)
		x.Resize(n, ds.C, ds.H, ds.W)
		copy(x.Data, ds.X[lo*m:(lo+n)*m])
		f(lo, x)
	}
}

// RelativeError returns the mean over the samples of ds of
// 100·‖x − x̂‖/‖x‖, with x and its reconstruction x̂ mapped back by norm.
func RelativeError(m *Model, ds *data.Dataset, norm data.Normalizer) float64 {
	var sum float64
	sl := ds.SampleLen()
	xo := make([]float32, sl)
	yo := make([]float32, sl)
	forEachBatch(ds, evalBatch, func(_ int, x *layers.Tensor) {
		y := m.Forward(x)
		for i := 0; i < x.Dim(0); i++ {
			copy(xo, x.Data[i*sl:(i+1)*sl])
			copy(yo, y.Data[i*sl:(i+1)*sl])
			norm.Invert(xo)
			norm.Invert(yo)
			sum += relErr(yo, xo)
		}
	})
	return sum / float64(ds.N)
}

// relErr is 100·‖a − b‖/‖b‖ (0 when both vanish).
func relErr(a, b []float32) float64 {
	var d, n float64
	for i := range b {
		e := float64(a[i]) - float64(b[i])
		d += e * e
		n += float64(b[i]) * float64(b[i])
	}
	if n == 0 {
		if d == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return 100 * math.Sqrt(d/n)
}

// Codes returns the latent coordinates of every sample of ds, N×dim
// row-major: for an RRAE with its basis the k coefficients U_fᵀy, otherwise
// the latent vector the decoder receives (IRMAE: after its linear maps).
func Codes(m *Model, ds *data.Dataset) (codes []float32, dim int) {
	r, isRRAE := m.Latent.(*RRAELatent)
	dim = m.LatentDim
	if isRRAE {
		if r.Basis == nil {
			panic("ae: Codes: the RRAE has no basis yet; train it first")
		}
		dim = r.K
	}
	codes = make([]float32, ds.N*dim)
	forEachBatch(ds, evalBatch, func(lo int, x *layers.Tensor) {
		z := m.Encode(x)
		if isRRAE {
			copy(codes[lo*dim:], r.Coefficients(z))
			return
		}
		copy(codes[lo*dim:], m.Latent.Forward(z).Data)
	})
	return codes, dim
}

// DecodeCodes maps n latent coordinates (n×dim, as Codes returns) to images
// in the data's units.
func DecodeCodes(m *Model, codes []float32, n int, norm data.Normalizer) []float32 {
	z := layers.NewTensor(n, m.LatentDim)
	if r, ok := m.Latent.(*RRAELatent); ok {
		// y = U_f·c for each code c.
		linalg.Sgemm(false, true, n, m.LatentDim, r.K, 1, codes, r.K, r.Basis, r.K, 0, z.Data, m.LatentDim)
	} else {
		copy(z.Data, codes)
	}
	img := m.Decode(z)
	out := append([]float32(nil), img.Data...)
	norm.Invert(out)
	return out
}

// Spectrum returns the singular values of the latent matrix of ds (the
// codes of all samples), divided by the largest (rrae.txt Fig. 5).
func Spectrum(m *Model, ds *data.Dataset) ([]float64, error) {
	codes, dim := latentMatrix(m, ds)
	return normalizedSingularValues(ds.N, dim, codes)
}

// CovarianceSpectrum returns the singular values of the covariance matrix of
// the latent codes of ds, divided by the largest: irmae.txt §4's measure
// (Figs. 2 and 4, on the validation set), whose count of nonzero values is
// the dimension of the latent space. Unlike Spectrum's, the codes are
// centred (the mean is no direction), and a covariance's values are the
// squares of the centred codes' singular values, so a threshold on them is
// the square of one on Spectrum's scale.
func CovarianceSpectrum(m *Model, ds *data.Dataset) ([]float64, error) {
	codes, dim := latentMatrix(m, ds)
	return normalizedCovarianceSpectrum(ds.N, dim, codes)
}

// latentMatrix returns the latent vectors of every sample of ds (N×dim): the
// codes, except for an RRAE with its basis, whose full latent projected on
// the basis is what the papers' spectra use (rank ≤ k by construction).
func latentMatrix(m *Model, ds *data.Dataset) (codes []float32, dim int) {
	r, ok := m.Latent.(*RRAELatent)
	if !ok || r.Basis == nil {
		return Codes(m, ds)
	}
	dim = m.LatentDim
	codes = make([]float32, ds.N*dim)
	forEachBatch(ds, evalBatch, func(lo int, x *layers.Tensor) {
		copy(codes[lo*dim:], r.Forward(m.Encode(x)).Data)
	})
	return codes, dim
}

// normalizedCovarianceSpectrum returns the eigenvalues (the singular values:
// the matrix is symmetric positive semi-definite) of the covariance of the
// rows of a (n×dim), in float64, descending and divided by the largest.
func normalizedCovarianceSpectrum(n, dim int, a []float32) ([]float64, error) {
	if n < 2 {
		return nil, fmt.Errorf("ae: a covariance needs at least 2 samples, not %d", n)
	}
	_, cov := covariance(a, n, dim)
	var eig mat.EigenSym
	if !eig.Factorize(cov, false) {
		return nil, fmt.Errorf("ae: the eigen-decomposition of the latent covariance failed")
	}
	vals := eig.Values(nil)
	for i, v := range vals {
		vals[i] = math.Abs(v) // rounding can leave −0-ish values
	}
	slices.Sort(vals)
	slices.Reverse(vals)
	if top := vals[0]; top > 0 {
		for i := range vals {
			vals[i] /= top
		}
	}
	return vals, nil
}

func normalizedSingularValues(n, dim int, a []float32) ([]float64, error) {
	s, err := linalg.SVDJacobi(n, dim, a, dim)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(s.S))
	for i, v := range s.S {
		if s.S[0] > 0 {
			out[i] = float64(v) / float64(s.S[0])
		}
	}
	return out, nil
}

// RankAt counts the normalised singular values above tol.
func RankAt(spectrum []float64, tol float64) int {
	r := 0
	for _, v := range spectrum {
		if v > tol {
			r++
		}
	}
	return r
}

// Interpolate decodes, for pairs random pairs of samples of ds, the line
// between their codes (rrae.txt §6.1: 50 pairs, 5 steps): each pair gives
// steps+2 images, the two endpoints' reconstructions around steps equally
// spaced interior points. The images are in the data's units; idx holds the
// pairs' sample indices. InterpolationInterior picks the interior images,
// which the papers score.
func Interpolate(m *Model, ds *data.Dataset, norm data.Normalizer, pairs, steps int, seed uint64) (imgs []float32, idx [][2]int) {
	codes, dim := Codes(m, ds)
	rng := rand.New(rand.NewPCG(seed, 0x1e7))
	per := steps + 2
	line := make([]float32, pairs*per*dim)
	for p := 0; p < pairs; p++ {
		i, j := rng.IntN(ds.N), rng.IntN(ds.N)
		for j == i && ds.N > 1 {
			j = rng.IntN(ds.N)
		}
		idx = append(idx, [2]int{i, j})
		a, b := codes[i*dim:(i+1)*dim], codes[j*dim:(j+1)*dim]
		for s := 0; s < per; s++ {
			t := float32(s) / float32(per-1)
			c := line[(p*per+s)*dim : (p*per+s+1)*dim]
			for d := range c {
				c[d] = (1-t)*a[d] + t*b[d]
			}
		}
	}
	return DecodeCodes(m, line, pairs*per, norm), idx
}

// InterpolationInterior returns the interior images of Interpolate's
// output, pairs·steps images of sampleLen values.
func InterpolationInterior(imgs []float32, pairs, steps, sampleLen int) []float32 {
	per := steps + 2
	out := make([]float32, 0, pairs*steps*sampleLen)
	for p := 0; p < pairs; p++ {
		out = append(out, imgs[(p*per+1)*sampleLen:(p*per+1+steps)*sampleLen]...)
	}
	return out
}

// Sample draws n codes from the Gaussian fitted to the codes of ds (mean and
// covariance, rrae.txt §6.1) and decodes them, in the data's units.
func Sample(m *Model, ds *data.Dataset, norm data.Normalizer, n int, seed uint64) ([]float32, error) {
	codes, dim := Codes(m, ds)
	drawn, err := gaussianLike(codes, ds.N, dim, n, seed)
	if err != nil {
		return nil, err
	}
	return DecodeCodes(m, drawn, n, norm), nil
}

// gaussianLike fits a Gaussian to the rows of codes (rows×dim) and draws n
// vectors from it.
func gaussianLike(codes []float32, rows, dim, n int, seed uint64) ([]float32, error) {
	mean, cov := covariance(codes, rows, dim)
	chol, err := choleskyPSD(cov)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5a3))
	out := make([]float32, n*dim)
	e := make([]float64, dim)
	for i := 0; i < n; i++ {
		for d := range e {
			e[d] = rng.NormFloat64()
		}
		for a := 0; a < dim; a++ { // mean + L·e, L lower triangular
			v := mean[a]
			for b := 0; b <= a; b++ {
				v += chol.At(a, b) * e[b]
			}
			out[i*dim+a] = float32(v)
		}
	}
	return out, nil
}

// covariance returns the mean and the (unbiased) covariance of the rows of
// codes (rows×dim), in float64.
func covariance(codes []float32, rows, dim int) ([]float64, *mat.SymDense) {
	mean := make([]float64, dim)
	for i := 0; i < rows; i++ {
		for d := 0; d < dim; d++ {
			mean[d] += float64(codes[i*dim+d])
		}
	}
	for d := range mean {
		mean[d] /= float64(rows)
	}
	cov := mat.NewSymDense(dim, nil)
	for a := 0; a < dim; a++ {
		for b := a; b < dim; b++ {
			var s float64
			for i := 0; i < rows; i++ {
				s += (float64(codes[i*dim+a]) - mean[a]) * (float64(codes[i*dim+b]) - mean[b])
			}
			cov.SetSym(a, b, s/float64(max(rows-1, 1)))
		}
	}
	return mean, cov
}

// choleskyPSD factors a covariance that may be singular (the latents of a
// rank-limited model are): the diagonal is raised by a growing jitter until
// the factorisation succeeds.
func choleskyPSD(cov *mat.SymDense) (*mat.TriDense, error) {
	n := cov.SymmetricDim()
	var scale float64
	for i := 0; i < n; i++ {
		scale = math.Max(scale, cov.At(i, i))
	}
	if scale == 0 {
		return mat.NewTriDense(n, mat.Lower, nil), nil // a point mass
	}
	for jitter := 0.0; jitter < scale; jitter = math.Max(jitter*10, scale*1e-10) {
		c := mat.NewSymDense(n, nil)
		c.CopySym(cov)
		for i := 0; i < n; i++ {
			c.SetSym(i, i, c.At(i, i)+jitter)
		}
		var ch mat.Cholesky
		if ch.Factorize(c) {
			var l mat.TriDense
			ch.LTo(&l)
			return &l, nil
		}
	}
	return nil, fmt.Errorf("ae: the latent covariance is not positive semi-definite")
}

// BumpScores returns the bump-fit error (data.FitBump, in percent) of each
// image of imgs (Size×Size each, in the data's units).
func BumpScores(imgs []float32, cfg data.BumpConfig) []float64 {
	n := cfg.Size * cfg.Size
	out := make([]float64, len(imgs)/n)
	for i := range out {
		out[i] = data.FitBump(imgs[i*n:(i+1)*n], cfg).Error
	}
	return out
}

// MeanStd returns the mean and the (population) standard deviation of x.
func MeanStd(x []float64) (mean, std float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)))
}
