package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestGaussianBumpsShapesAndDeterminism(t *testing.T) {
	cfg := DefaultBumpConfig()
	tr, te, err := GaussianBumps(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Shape() != [4]int{400, 1, 64, 64} || te.Shape() != [4]int{400, 1, 64, 64} {
		t.Fatalf("shapes %v %v", tr.Shape(), te.Shape())
	}
	for _, d := range []*Dataset{tr, te} {
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if d.NumParams != 2 || d.Labels != nil {
			t.Fatalf("NumParams %d, labels %v", d.NumParams, d.Labels != nil)
		}
		for _, v := range d.X {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("value %v outside [0,1]", v)
			}
		}
	}

	tr2, te2, _ := GaussianBumps(cfg, 1)
	if !slices.Equal(tr.X, tr2.X) || !slices.Equal(te.X, te2.X) || !slices.Equal(te.Params, te2.Params) {
		t.Fatal("same seed, different data")
	}
	tr3, te3, _ := GaussianBumps(cfg, 2)
	if !slices.Equal(tr.X, tr3.X) {
		t.Fatal("the training grid depends on the seed")
	}
	if slices.Equal(te.Params, te3.Params) {
		t.Fatal("the test centres do not depend on the seed")
	}
}

func TestGaussianBumpsCentres(t *testing.T) {
	cfg := DefaultBumpConfig()
	tr, te, _ := GaussianBumps(cfg, 3)
	// Training order: sample a·20+b is centred at (u_b, u_a), u = linspace(−.5, .5, 20).
	for _, ab := range [][2]int{{0, 0}, {0, 19}, {19, 0}, {7, 12}, {19, 19}} {
		a, b := ab[0], ab[1]
		p := tr.Param(a*20 + b)
		wx, wy := -0.5+float64(b)/19, -0.5+float64(a)/19
		if math.Abs(float64(p[0])-wx) > 1e-6 || math.Abs(float64(p[1])-wy) > 1e-6 {
			t.Fatalf("sample (%d,%d): centre %v, want (%v, %v)", a, b, p, wx, wy)
		}
	}
	// Test centres: inside the square, x0 and y0 independent (not on the
	// reference code's diagonal).
	diag := 0
	for i := 0; i < te.N; i++ {
		p := te.Param(i)
		if p[0] < -0.5 || p[0] > 0.5 || p[1] < -0.5 || p[1] > 0.5 {
			t.Fatalf("test centre %v outside [-0.5,0.5]²", p)
		}
		if p[0] == p[1] {
			diag++
		}
	}
	if diag > 0 {
		t.Fatalf("%d test centres on the diagonal x0 = y0", diag)
	}

	// The peak sits on the grid point nearest the centre, and the values
	// follow exp(−r²/2σ²) on the grid linspace(−1, 1, 64).
	h := 2.0 / 63
	for _, d := range []*Dataset{tr, te} {
		for i := 0; i < d.N; i += 37 {
			img, p := d.Sample(i), d.Param(i)
			k := 0
			for j, v := range img {
				if v > img[k] {
					k = j
				}
			}
			px, py := -1+float64(k%64)*h, -1+float64(k/64)*h
			if math.Abs(px-float64(p[0])) > h/2+1e-9 || math.Abs(py-float64(p[1])) > h/2+1e-9 {
				t.Fatalf("sample %d: peak at (%v, %v), centre %v", i, px, py, p)
			}
			for _, rc := range [][2]int{{0, 0}, {10, 50}, {32, 31}, {63, 63}} {
				x, y := -1+float64(rc[1])*h, -1+float64(rc[0])*h
				r2 := (x-float64(p[0]))*(x-float64(p[0])) + (y-float64(p[1]))*(y-float64(p[1]))
				want := math.Exp(-r2 / (2 * 0.04))
				if got := float64(img[rc[0]*64+rc[1]]); math.Abs(got-want) > 1e-6 {
					t.Fatalf("sample %d at row %d col %d: %v, want %v", i, rc[0], rc[1], got, want)
				}
			}
		}
	}
}

func TestGaussianBumpsNormalize(t *testing.T) {
	tr, te, _ := GaussianBumps(DefaultBumpConfig(), 4)
	n := FitNormalizer(tr.X)
	orig := slices.Clone(te.X)
	n.Apply(tr.X)
	n.Apply(te.X)
	if m := FitNormalizer(tr.X); math.Abs(float64(m.Mean)) > 1e-5 || math.Abs(float64(m.Std)-1) > 1e-5 {
		t.Fatalf("normalised training set: %+v", m)
	}
	n.Invert(te.X)
	for i := range orig {
		if math.Abs(float64(orig[i]-te.X[i])) > 1e-5 {
			t.Fatalf("Invert(Apply(test))[%d] = %v, want %v", i, te.X[i], orig[i])
		}
	}
}

func TestGaussianBumpsConfigErrors(t *testing.T) {
	for _, c := range []struct {
		mod  func(*BumpConfig)
		want string
	}{
		{func(c *BumpConfig) { c.Size = 1 }, "grid size"},
		{func(c *BumpConfig) { c.Sigma = 0 }, "sigma"},
		{func(c *BumpConfig) { c.Amplitude = math.NaN() }, "amplitude"},
		{func(c *BumpConfig) { c.Side = 0 }, "training centres"},
		{func(c *BumpConfig) { c.NumTest = -1 }, "test size"},
		{func(c *BumpConfig) { c.Lo, c.Hi = 1, 0 }, "centre range"},
	} {
		cfg := DefaultBumpConfig()
		c.mod(&cfg)
		if _, _, err := GaussianBumps(cfg, 0); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error containing %q, got %v", c.want, err)
		}
	}
}

func TestFitBumpExact(t *testing.T) {
	cfg := DefaultBumpConfig()
	img := make([]float32, 64*64)
	rng := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 20; k++ {
		x0, y0 := 1.6*rng.Float64()-0.8, 1.6*rng.Float64()-0.8
		RenderBump(img, cfg, x0, y0)
		f := FitBump(img, cfg)
		if f.Error > 1e-3 {
			t.Errorf("exact bump at (%v, %v): error %v%%", x0, y0, f.Error)
		}
		if math.Abs(f.X0-x0) > 1e-4 || math.Abs(f.Y0-y0) > 1e-4 {
			t.Errorf("exact bump at (%v, %v): fitted centre (%v, %v)", x0, y0, f.X0, f.Y0)
		}
	}
}

func TestFitBumpNoiseAndShape(t *testing.T) {
	cfg := DefaultBumpConfig()
	clean := make([]float32, 64*64)
	RenderBump(clean, cfg, 0.13, -0.27)
	fitNorm := 0.0
	for _, v := range clean {
		fitNorm += float64(v) * float64(v)
	}
	fitNorm = math.Sqrt(fitNorm)

	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]float64, len(clean))
	for i := range noise {
		noise[i] = rng.NormFloat64()
	}
	prev := 0.0
	for _, s := range []float64{0.001, 0.01, 0.05, 0.1, 0.3} {
		img := make([]float32, len(clean))
		var nn float64
		for i := range img {
			img[i] = clean[i] + float32(s*noise[i])
			nn += s * noise[i] * s * noise[i]
		}
		e := BumpFitError(img, cfg)
		if e <= prev {
			t.Fatalf("noise %v: error %v%% not above %v%%", s, e, prev)
		}
		// The fit can only do better than the true centre.
		if bound := 100 * math.Sqrt(nn) / fitNorm; e > bound*1.001 {
			t.Fatalf("noise %v: error %v%% above the true centre's %v%%", s, e, bound)
		}
		prev = e
	}

	// Two half bumps are far from any single bump; a constant image is too.
	a, b := make([]float32, 64*64), make([]float32, 64*64)
	RenderBump(a, cfg, -0.4, -0.4)
	RenderBump(b, cfg, 0.4, 0.4)
	for i := range a {
		a[i] = (a[i] + b[i]) / 2
	}
	if e := BumpFitError(a, cfg); e < 50 {
		t.Fatalf("two half bumps: error %v%%, want ≥ 50%%", e)
	}
	zero := make([]float32, 64*64)
	if e := BumpFitError(zero, cfg); math.Abs(e-100) > 1e-9 {
		t.Fatalf("empty image: error %v%%, want 100%%", e)
	}
}

func TestFitBumpAfterNormalization(t *testing.T) {
	// The evaluation path: a model's output is in normalised units; Invert
	// it before scoring.
	cfg := DefaultBumpConfig()
	tr, te, _ := GaussianBumps(cfg, 9)
	n := FitNormalizer(tr.X)
	n.Apply(te.X)
	out := slices.Clone(te.Sample(3))
	n.Invert(out)
	if e := BumpFitError(out, cfg); e > 1e-3 {
		t.Fatalf("round-tripped test bump: error %v%%", e)
	}
	if e := BumpFitError(te.Sample(3), cfg); e < 50 {
		t.Fatalf("normalised (not inverted) bump scored %v%%: the units matter", e)
	}
}
