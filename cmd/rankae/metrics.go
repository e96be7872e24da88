package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/rankae/rankae/ae"
)

// metrics is what metrics.json holds.
type metrics struct {
	Model      string          `json:"model"`
	Data       string          `json:"data"`
	K          int             `json:"k,omitempty"` // RRAE bottleneck
	KChosen    int             `json:"k_settled_at_step,omitempty"`
	KChanges   []ae.RankChange `json:"k_changes,omitempty"`
	TrainError float64         `json:"train_error_pct"`
	TestError  float64         `json:"test_error_pct"`
	Rank       [3]int          `json:"rank_at_1e-2_1e-3_1e-6"`
	Spectrum   []float64       `json:"normalized_singular_values"`

	// The IRMAE paper's measure (irmae.txt §4, Figs. 2 and 4): the singular
	// values of the covariance of the test set's codes, normalised.
	CovRank     [3]int    `json:"covariance_rank_at_1e-2_1e-3_1e-6"`
	CovSpectrum []float64 `json:"normalized_covariance_singular_values"`

	// Bump-fit errors (%) of generated images, on the bumps only.
	Interpolation *meanStd `json:"interpolation_bump_fit_pct,omitempty"`
	Sampling      *meanStd `json:"sampling_bump_fit_pct,omitempty"`

	Steps      int     `json:"steps,omitempty"`
	Resumed    int     `json:"resumed_at_step,omitempty"` // a resumed run's first step; Seconds and ImagesPerS are from there
	Seconds    float64 `json:"seconds,omitempty"`
	ImagesPerS float64 `json:"images_per_s,omitempty"`
}

type meanStd struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
}

// The papers' evaluation sizes (rrae.txt §6.1).
const (
	interpPairs, interpSteps = 50, 5
	numSamples               = 250
)

// evaluate computes the metrics of a trained model and writes the image
// grids and the singular-value plot into dir.
func evaluate(m *ae.Model, d *loaded, seed uint64, dir string) (*metrics, error) {
	if m.Kind == "irmae" {
		// Folded or not, the model computes the same function.
		if err := m.FoldIRMAE(); err != nil && !errors.Is(err, ae.ErrNotFoldable) {
			return nil, err
		}
	}
	met := &metrics{Model: m.Kind, Data: dataName(d)}
	if r, ok := m.Latent.(*ae.RRAELatent); ok {
		met.K = r.K
	}
	met.TrainError = ae.RelativeError(m, d.train, d.norm)
	met.TestError = ae.RelativeError(m, d.test, d.norm)
	spec, err := ae.Spectrum(m, d.train)
	if err != nil {
		return nil, err
	}
	met.Spectrum = spec
	for i, tol := range []float64{1e-2, 1e-3, 1e-6} {
		met.Rank[i] = ae.RankAt(spec, tol)
	}
	if err := plotLogCurve(filepath.Join(dir, "singular_values.png"), "latent singular values", "index", "σᵢ/σ₁", nil, spec); err != nil {
		return nil, err
	}
	if d.test.N >= 2 {
		cov, err := ae.CovarianceSpectrum(m, d.test)
		if err != nil {
			return nil, err
		}
		met.CovSpectrum = cov
		for i, tol := range []float64{1e-2, 1e-3, 1e-6} {
			met.CovRank[i] = ae.RankAt(cov, tol)
		}
		if err := plotLogCurve(filepath.Join(dir, "covariance_singular_values.png"), "singular values of the latent covariance (test set)", "index", "σᵢ/σ₁", nil, cov); err != nil {
			return nil, err
		}
	}

	c, h, w := d.train.C, d.train.H, d.train.W
	sl := c * h * w
	lo, hi := imageRange(d)
	// Reconstructions: 16 test images above their reconstructions.
	n := min(16, d.test.N)
	grid := make([]float32, 0, 2*n*sl)
	orig := append([]float32(nil), d.test.X[:n*sl]...)
	d.norm.Invert(orig)
	grid = append(grid, orig...)
	rec := ae.DecodeCodes(m, codesOf(m, d, n), n, d.norm)
	grid = append(grid, rec...)
	if err := writeGrid(filepath.Join(dir, "reconstructions.png"), grid, 2*n, c, h, w, n, 2, lo, hi); err != nil {
		return nil, err
	}

	interp, _ := ae.Interpolate(m, d.train, d.norm, interpPairs, interpSteps, seed)
	per := interpSteps + 2
	if err := writeGrid(filepath.Join(dir, "interpolations.png"), interp[:10*per*sl], 10*per, c, h, w, per, 2, lo, hi); err != nil {
		return nil, err
	}
	samples, err := ae.Sample(m, d.train, d.norm, numSamples, seed)
	if err != nil {
		return nil, err
	}
	if err := writeGrid(filepath.Join(dir, "samples.png"), samples[:64*sl], 64, c, h, w, 8, 2, lo, hi); err != nil {
		return nil, err
	}
	if d.bumps != nil {
		inner := ae.InterpolationInterior(interp, interpPairs, interpSteps, sl)
		mi, si := ae.MeanStd(ae.BumpScores(inner, *d.bumps))
		ms, ss := ae.MeanStd(ae.BumpScores(samples, *d.bumps))
		met.Interpolation = &meanStd{mi, si}
		met.Sampling = &meanStd{ms, ss}
	}
	return met, nil
}

// codesOf returns the codes of the first n test samples.
func codesOf(m *ae.Model, d *loaded, n int) []float32 {
	sub := d.test.Subset(seq(n))
	codes, _ := ae.Codes(m, sub)
	return codes
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// imageRange is the value range the image grids map to black and white: the
// training set's, in the data's units.
func imageRange(d *loaded) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, v := range d.train.X {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo*d.norm.Std + d.norm.Mean, hi*d.norm.Std + d.norm.Mean
}

func dataName(d *loaded) string {
	if d.bumps != nil {
		return "bumps"
	}
	return fmt.Sprintf("%d×%d×%d images", d.train.C, d.train.H, d.train.W)
}

// printMetrics prints m and the files written to dir: metrics.json, the
// evaluation's images, and the caller's own (extra).
func printMetrics(w io.Writer, m *metrics, dir string, extra ...string) {
	fmt.Fprintf(w, "\n%-28s %s\n", "model", m.Model)
	if m.K > 0 {
		fmt.Fprintf(w, "%-28s %d\n", "bottleneck k", m.K)
	}
	fmt.Fprintf(w, "%-28s %.2f %%\n", "train error", m.TrainError)
	fmt.Fprintf(w, "%-28s %.2f %%\n", "test error", m.TestError)
	fmt.Fprintf(w, "%-28s %d / %d / %d\n", "latent rank at 1e-2/3/6", m.Rank[0], m.Rank[1], m.Rank[2])
	if m.CovSpectrum != nil {
		fmt.Fprintf(w, "%-28s %d / %d / %d\n", "covariance rank at 1e-2/3/6", m.CovRank[0], m.CovRank[1], m.CovRank[2])
	}
	if m.Interpolation != nil {
		fmt.Fprintf(w, "%-28s %.2f ± %.2f %%\n", "interpolation bump fit", m.Interpolation.Mean, m.Interpolation.Std)
		fmt.Fprintf(w, "%-28s %.2f ± %.2f %%\n", "random sampling bump fit", m.Sampling.Mean, m.Sampling.Std)
	}
	if m.Steps > 0 {
		from := ""
		if m.Resumed > 0 {
			from = fmt.Sprintf(", resumed at %d,", m.Resumed)
		}
		fmt.Fprintf(w, "%-28s %d steps%s in %.0f s (%.0f images/s)\n", "training", m.Steps, from, m.Seconds, m.ImagesPerS)
	}
	files := append([]string{"metrics.json"}, extra...)
	files = append(files, "reconstructions.png", "interpolations.png", "samples.png", "singular_values.png")
	if m.CovSpectrum != nil {
		files = append(files, "covariance_singular_values.png")
	}
	fmt.Fprintf(w, "\nwritten to %s: %s\n", dir, strings.Join(files, ", "))
}
