package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// BumpConfig describes the 2D Gaussian bumps of rrae.txt §6.1: images on a
// Size×Size grid over [−1,1]² (x along columns, y along rows, both
// linspace(−1, 1, Size)), each holding Amplitude·exp(−((x−x0)²+(y−y0)²)/2σ²).
// The training centres are a Side×Side equidistant grid over [Lo,Hi]²; the
// NumTest test centres are uniform in the same square, x0 and y0 drawn
// independently.
type BumpConfig struct {
	Size      int     // grid points per side (64)
	Sigma     float64 // σ in exp(−r²/2σ²) (0.2)
	Amplitude float64 // peak value (1)
	Side      int     // training centres per axis (20, so 400 samples)
	NumTest   int     // test samples (400)
	Lo, Hi    float64 // range of the centres on both axes (−0.5, 0.5)
}

// DefaultBumpConfig returns the paper's setting: 64×64 grid, σ = 0.2,
// amplitude 1, 400 training centres on a 20×20 grid over [−0.5,0.5]².
// The paper does not give the test-set size; the default is 400.
func DefaultBumpConfig() BumpConfig {
	return BumpConfig{Size: 64, Sigma: 0.2, Amplitude: 1, Side: 20, NumTest: 400, Lo: -0.5, Hi: 0.5}
}

// validateGrid checks the fields that define one image: Size, Sigma, Amplitude.
func (c BumpConfig) validateGrid() error {
	switch {
	case c.Size < 2:
		return fmt.Errorf("data: bumps: grid size %d < 2", c.Size)
	case !(c.Sigma > 0) || math.IsInf(c.Sigma, 0):
		return fmt.Errorf("data: bumps: sigma %v is not a positive number", c.Sigma)
	case c.Amplitude == 0 || math.IsNaN(c.Amplitude) || math.IsInf(c.Amplitude, 0):
		return fmt.Errorf("data: bumps: amplitude %v is not a finite non-zero number", c.Amplitude)
	}
	return nil
}

func (c BumpConfig) validate() error {
	if err := c.validateGrid(); err != nil {
		return err
	}
	switch {
	case c.Side < 1:
		return fmt.Errorf("data: bumps: %d training centres per axis < 1", c.Side)
	case c.NumTest < 0:
		return fmt.Errorf("data: bumps: negative test size %d", c.NumTest)
	case !(c.Lo <= c.Hi):
		return fmt.Errorf("data: bumps: centre range [%v, %v] is empty", c.Lo, c.Hi)
	}
	return nil
}

// gridCoord returns linspace(−1, 1, n)[i].
func gridCoord(i, n int) float64 {
	return -1 + 2*float64(i)/float64(n-1)
}

// linspace returns linspace(lo, hi, n)[i] (lo when n == 1).
func linspace(lo, hi float64, i, n int) float64 {
	if n == 1 {
		return lo
	}
	return lo + (hi-lo)*float64(i)/float64(n-1)
}

// GaussianBumps returns the training and test sets of rrae.txt §6.1 in the
// data's own units (un-normalised; see FitNormalizer): one channel of
// Size×Size, Params = (x0, y0) per sample. Training sample a·Side+b has its
// centre at (x0, y0) = (u_b, u_a), u = linspace(Lo, Hi, Side) (numpy's
// meshgrid(x0s, y0s) flattened, as the reference code). The training set does
// not depend on seed; the test centres are drawn from it.
//
// The reference code draws the test x0 and y0 from the same random key, which
// puts every test centre on the diagonal x0 = y0; here they are independent,
// as the paper describes ("randomly generated points within the range of the
// training data"). It also normalises the test set with its own statistics;
// use the training set's instead (FitNormalizer(train.X).Apply(test.X)).
func GaussianBumps(cfg BumpConfig, seed uint64) (train, test *Dataset, err error) {
	if err := cfg.validate(); err != nil {
		return nil, nil, err
	}
	n := cfg.Side * cfg.Side
	train = NewDataset(n, 1, cfg.Size, cfg.Size)
	train.NumParams = 2
	train.Params = make([]float32, 2*n)
	for a := 0; a < cfg.Side; a++ {
		for b := 0; b < cfg.Side; b++ {
			i := a*cfg.Side + b
			x0 := linspace(cfg.Lo, cfg.Hi, b, cfg.Side)
			y0 := linspace(cfg.Lo, cfg.Hi, a, cfg.Side)
			RenderBump(train.Sample(i), cfg, x0, y0)
			train.Params[2*i], train.Params[2*i+1] = float32(x0), float32(y0)
		}
	}

	rng := rand.New(rand.NewPCG(seed, 0xb0b5))
	test = NewDataset(cfg.NumTest, 1, cfg.Size, cfg.Size)
	test.NumParams = 2
	test.Params = make([]float32, 2*cfg.NumTest)
	for i := 0; i < cfg.NumTest; i++ {
		x0 := cfg.Lo + (cfg.Hi-cfg.Lo)*rng.Float64()
		y0 := cfg.Lo + (cfg.Hi-cfg.Lo)*rng.Float64()
		RenderBump(test.Sample(i), cfg, x0, y0)
		test.Params[2*i], test.Params[2*i+1] = float32(x0), float32(y0)
	}
	return train, test, nil
}

// bumpProfile fills g[j] = exp(−(u_j − c)²/2σ²) for the grid u = linspace(−1,1,len(g)).
func bumpProfile(g []float64, c, sigma float64) {
	k := 1 / (2 * sigma * sigma)
	for j := range g {
		d := gridCoord(j, len(g)) - c
		g[j] = math.Exp(-d * d * k)
	}
}

// RenderBump writes into dst (Size×Size, row-major, rows along y) the bump of
// cfg centred at (x0, y0). It panics if dst is shorter than Size².
func RenderBump(dst []float32, cfg BumpConfig, x0, y0 float64) {
	n := cfg.Size
	if len(dst) < n*n {
		panic(fmt.Sprintf("data: RenderBump: dst holds %d values, need %d", len(dst), n*n))
	}
	gx := make([]float64, n)
	gy := make([]float64, n)
	bumpProfile(gx, x0, cfg.Sigma)
	bumpProfile(gy, y0, cfg.Sigma)
	for i := 0; i < n; i++ {
		a := cfg.Amplitude * gy[i]
		row := dst[i*n : (i+1)*n]
		for j := range row {
			row[j] = float32(a * gx[j])
		}
	}
}

// BumpFit is the result of FitBump.
type BumpFit struct {
	X0, Y0 float64 // centre of the best-fitting bump
	Error  float64 // 100·‖img − fit‖/‖fit‖, in percent
}

// FitBump fits to img (Size×Size, in the data's un-normalised units: Invert
// a model's output first) the bump of cfg — amplitude and σ fixed, as the
// paper's "Gaussian bump with the correct amplitude and variance" — whose
// centre minimises ‖img − bump‖₂, and returns that centre and the relative
// L2 difference 100·‖img − fit‖/‖fit‖ in percent.
//
// rrae.txt §6.1 scores generated images this way ("fitting a Gaussian bump
// with the correct amplitude and variance to each generated sample ... the
// percentage difference in the L2-norm between the fitted bump and the
// [generated] one", Table 1's caption). Neither the paper nor the reference
// code fixes the denominator; the fitted bump is taken as the reference, as
// the reconstruction error 100·‖x − x̂‖/‖x‖ takes the true image. The centre
// is searched over the whole domain [−1,1]²: an exhaustive search on the
// pixel grid, then a compass search down to 1e−9.
//
// FitBump panics if cfg's Size, Sigma or Amplitude is invalid or img is
// shorter than Size².
func FitBump(img []float32, cfg BumpConfig) BumpFit {
	if err := cfg.validateGrid(); err != nil {
		panic(err.Error())
	}
	n := cfg.Size
	if len(img) < n*n {
		panic(fmt.Sprintf("data: FitBump: image holds %d values, need %d", len(img), n*n))
	}
	f := newBumpFitter(img[:n*n], cfg)

	// Coarse: every pixel position as a candidate centre, evaluated through
	// the separable form ⟨g, b⟩ = Σ_i Kyᵢ Σ_j g_ij Kxⱼ in O(n³).
	k := make([]float64, n*n) // k[j*n+c] = exp(−(u_j − u_c)²/2σ²)
	for c := 0; c < n; c++ {
		bumpProfile(f.gx, gridCoord(c, n), cfg.Sigma)
		for j := 0; j < n; j++ {
			k[j*n+c] = f.gx[j]
		}
	}
	norm2 := make([]float64, n) // Σ_j k[j][c]²
	for j := 0; j < n; j++ {
		for c := 0; c < n; c++ {
			norm2[c] += k[j*n+c] * k[j*n+c]
		}
	}
	p := make([]float64, n*n) // p[i][c] = Σ_j g[i][j] k[j][c]
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			g := f.img[i*n+j]
			if g == 0 {
				continue
			}
			kr := k[j*n : (j+1)*n]
			pr := p[i*n : (i+1)*n]
			for c := range pr {
				pr[c] += g * kr[c]
			}
		}
	}
	best, br, bc := math.Inf(1), 0, 0
	a := cfg.Amplitude
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			var dot float64
			for i := 0; i < n; i++ {
				dot += k[i*n+r] * p[i*n+c]
			}
			if v := -2*a*dot + a*a*norm2[r]*norm2[c]; v < best {
				best, br, bc = v, r, c
			}
		}
	}

	// Fine: compass search from the best grid point.
	x, y := gridCoord(bc, n), gridCoord(br, n)
	fv := f.eval(x, y)
	for h := 2 / float64(n-1); h > 1e-9; {
		moved := false
		for _, d := range [...][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}} {
			nx, ny := x+h*d[0], y+h*d[1]
			if nx < -1 || nx > 1 || ny < -1 || ny > 1 {
				continue
			}
			if v := f.eval(nx, ny); v < fv {
				x, y, fv, moved = nx, ny, v, true
				break
			}
		}
		if !moved {
			h /= 2
		}
	}
	return BumpFit{X0: x, Y0: y, Error: 100 * math.Sqrt(max(fv, 0)) / f.fitNorm(x, y)}
}

// BumpFitError returns FitBump(img, cfg).Error: the paper's score of a
// generated bump, in percent.
func BumpFitError(img []float32, cfg BumpConfig) float64 {
	return FitBump(img, cfg).Error
}

type bumpFitter struct {
	n      int
	cfg    BumpConfig
	img    []float64
	gx, gy []float64
}

func newBumpFitter(img []float32, cfg BumpConfig) *bumpFitter {
	f := &bumpFitter{n: cfg.Size, cfg: cfg, img: make([]float64, len(img)),
		gx: make([]float64, cfg.Size), gy: make([]float64, cfg.Size)}
	for i, v := range img {
		f.img[i] = float64(v)
	}
	return f
}

// eval returns ‖img − bump(x, y)‖².
func (f *bumpFitter) eval(x, y float64) float64 {
	bumpProfile(f.gx, x, f.cfg.Sigma)
	bumpProfile(f.gy, y, f.cfg.Sigma)
	n, a := f.n, f.cfg.Amplitude
	var s float64
	for i := 0; i < n; i++ {
		ay := a * f.gy[i]
		row := f.img[i*n : (i+1)*n]
		for j, g := range row {
			d := g - ay*f.gx[j]
			s += d * d
		}
	}
	return s
}

// fitNorm returns ‖bump(x, y)‖ (gx and gy need not be current).
func (f *bumpFitter) fitNorm(x, y float64) float64 {
	bumpProfile(f.gx, x, f.cfg.Sigma)
	bumpProfile(f.gy, y, f.cfg.Sigma)
	var sx, sy float64
	for j := range f.gx {
		sx += f.gx[j] * f.gx[j]
		sy += f.gy[j] * f.gy[j]
	}
	return math.Abs(f.cfg.Amplitude) * math.Sqrt(sx*sy)
}
