package ae

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rankae/rankae/data"
	"github.com/rankae/rankae/layers"
)

func TestGaussianLikeMatchesMoments(t *testing.T) {
	// Codes on a line (a singular covariance, as a rank-limited latent has).
	const rows, dim = 200, 3
	codes := make([]float32, rows*dim)
	for i := 0; i < rows; i++ {
		u := float32(i)/rows - 0.5
		codes[i*dim], codes[i*dim+1], codes[i*dim+2] = 1+u, 2-2*u, 3
	}
	const n = 20000
	drawn, err := gaussianLike(codes, rows, dim, n, 1)
	if err != nil {
		t.Fatal(err)
	}
	var m [dim]float64
	for i := 0; i < n; i++ {
		for d := 0; d < dim; d++ {
			m[d] += float64(drawn[i*dim+d]) / n
		}
	}
	var c01, c00 float64
	for i := 0; i < n; i++ {
		a, b := float64(drawn[i*dim])-m[0], float64(drawn[i*dim+1])-m[1]
		c00 += a * a / n
		c01 += a * b / n
	}
	wantVar := 1.0 / 12 // u is uniform on [−0.5, 0.5)
	if math.Abs(m[0]-1) > 0.01 || math.Abs(m[1]-2) > 0.02 || math.Abs(m[2]-3) > 1e-4 {
		t.Errorf("sample mean %v, want ≈ (1, 2, 3)", m)
	}
	if math.Abs(c00-wantVar) > 0.005 || math.Abs(c01+2*wantVar) > 0.01 {
		t.Errorf("var %v cov %v, want %v and %v", c00, c01, wantVar, -2*wantVar)
	}
}

func TestCholeskyPSDOfASingularMatrix(t *testing.T) {
	cov := mat.NewSymDense(2, []float64{1, 2, 2, 4}) // rank 1
	l, err := choleskyPSD(cov)
	if err != nil {
		t.Fatal(err)
	}
	var llt mat.Dense
	llt.Mul(l, l.T())
	if !mat.EqualApprox(&llt, cov, 1e-6) {
		t.Errorf("L·Lᵀ = %v, want %v", mat.Formatted(&llt), mat.Formatted(cov))
	}
}

func TestRankAt(t *testing.T) {
	s := []float64{1, 0.5, 1e-3, 1e-7, 0}
	for _, c := range []struct {
		tol  float64
		want int
	}{{1e-2, 2}, {1e-4, 3}, {1e-6, 3}, {1e-8, 4}} {
		if got := RankAt(s, c.tol); got != c.want {
			t.Errorf("RankAt(%v) = %d, want %d", c.tol, got, c.want)
		}
	}
}

func TestInterpolateEndpointsAreReconstructions(t *testing.T) {
	train, _ := smallBumps(t)
	m, err := New(Config{Model: "long", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 8, Hidden: []int{32}, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	norm := data.Normalizer{Mean: 0.5, Std: 2}
	const pairs, steps, sl = 3, 4, 256
	imgs, idx := Interpolate(m, train, norm, pairs, steps, 9)
	if len(imgs) != pairs*(steps+2)*sl || len(idx) != pairs {
		t.Fatalf("%d values for %d pairs", len(imgs), len(idx))
	}
	for p, ij := range idx {
		for e, i := range ij {
			x := layers.FromSlice(append([]float32(nil), train.Sample(i)...), 1, 1, 16, 16)
			want := append([]float32(nil), m.Forward(x).Data...)
			norm.Invert(want)
			got := imgs[(p*(steps+2)+e*(steps+1))*sl:][:sl]
			for v := range want {
				if math.Abs(float64(got[v]-want[v])) > 1e-4 {
					t.Fatalf("pair %d endpoint %d value %d: %v, reconstruction %v", p, e, v, got[v], want[v])
				}
			}
		}
	}
	if in := InterpolationInterior(imgs, pairs, steps, sl); len(in) != pairs*steps*sl {
		t.Errorf("interior has %d values, want %d", len(in), pairs*steps*sl)
	}
}

func TestRelativeErrorOfAPerfectModel(t *testing.T) {
	if got := relErr([]float32{3, 4}, []float32{3, 4}); got != 0 {
		t.Errorf("relErr of equal vectors = %v", got)
	}
	if got := relErr([]float32{3, 0}, []float32{3, 4}); math.Abs(got-80) > 1e-9 {
		t.Errorf("relErr = %v, want 80", got)
	}
}

// TestCovarianceSpectrumCentres: codes on a 2-dimensional affine plane off
// the origin have a covariance of rank 2, while their uncentred matrix has
// rank 3 (the mean is one more direction); the covariance's values are the
// squares of the centred codes' singular values.
func TestCovarianceSpectrumCentres(t *testing.T) {
	const n, dim = 200, 5
	rng := rand.New(rand.NewPCG(1, 2))
	codes := make([]float32, n*dim)
	offset := []float32{3, -1, 2, 0.5, 1}
	dirs := [2][dim]float32{{1, 2, 0, 0, -1}, {0, 1, -1, 2, 0}}
	for i := 0; i < n; i++ {
		a, b := float32(rng.NormFloat64()), float32(0.3*rng.NormFloat64())
		for d := 0; d < dim; d++ {
			codes[i*dim+d] = offset[d] + a*dirs[0][d] + b*dirs[1][d]
		}
	}
	cov, err := normalizedCovarianceSpectrum(n, dim, codes)
	if err != nil {
		t.Fatal(err)
	}
	if got := RankAt(cov, 1e-6); got != 2 {
		t.Errorf("covariance rank %d, want 2 (spectrum %v)", got, cov)
	}
	raw, err := normalizedSingularValues(n, dim, codes)
	if err != nil {
		t.Fatal(err)
	}
	if got := RankAt(raw, 1e-5); got != 3 {
		t.Errorf("uncentred rank %d, want 3 (spectrum %v)", got, raw)
	}
	centred := append([]float32(nil), codes...)
	for d := 0; d < dim; d++ {
		var mean float64
		for i := 0; i < n; i++ {
			mean += float64(codes[i*dim+d])
		}
		mean /= n
		for i := 0; i < n; i++ {
			centred[i*dim+d] -= float32(mean)
		}
	}
	sv, err := normalizedSingularValues(n, dim, centred)
	if err != nil {
		t.Fatal(err)
	}
	if want := sv[1] * sv[1]; math.Abs(cov[1]-want) > 1e-4*want {
		t.Errorf("second covariance value %v, want the squared singular value ratio %v", cov[1], want)
	}
}
