package linalg

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// bwMat64 returns the m×n matrix Q₁·diag(s)·Q₂ᵀ with random orthonormal
// Q₁ (m×r) and Q₂ (n×r), r = len(s) ≤ min(m, n): a matrix with exactly
// the singular values s (and zeros beyond).
func bwMat64(rng *rand.Rand, m, n int, s []float64) []float64 {
	q1, q2 := svdOrthoMat(rng, m, len(s)), svdOrthoMat(rng, n, len(s))
	a := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var x float64
			for l, sl := range s {
				x += q1.At(i, l) * sl * q2.At(j, l)
			}
			a[i*n+j] = x
		}
	}
	return a
}

func bwRand64(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func bwDot(x, y []float64) float64 {
	var d float64
	for i := range x {
		d += x[i] * y[i]
	}
	return d
}

func bwSVD64(t *testing.T, m, n int, a []float64) *SVD64 {
	t.Helper()
	s, err := SVDJacobi64(m, n, a, n)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bwFD returns the central finite-difference gradient of loss at a, with
// step h·max|a|.
func bwFD(a []float64, h float64, loss func([]float64) float64) []float64 {
	var amax float64
	for _, x := range a {
		amax = max(amax, math.Abs(x))
	}
	h *= max(amax, 1e-300)
	g := make([]float64, len(a))
	b := append([]float64(nil), a...)
	for i := range a {
		b[i] = a[i] + h
		lp := loss(b)
		b[i] = a[i] - h
		lm := loss(b)
		b[i] = a[i]
		g[i] = (lp - lm) / (2 * h)
	}
	return g
}

// bwRelErr is ‖got − want‖/‖want‖ (‖got‖ when want is 0).
func bwRelErr[T svdFloat](got []T, want []float64) float64 {
	var num, den float64
	for i := range want {
		d := float64(got[i]) - want[i]
		num += d * d
		den += want[i] * want[i]
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

type bwCase struct {
	name string
	m, n int
	s    []float64 // singular values, descending; zeros beyond
	k    int
}

func bwCases() []bwCase {
	return []bwCase{
		{"tall", 12, 7, []float64{5, 4, 3.2, 2.5, 1.7, 1.1, 0.6}, 3},
		{"wide", 6, 11, []float64{4, 3.5, 2.2, 1.6, 1.0, 0.3}, 2},
		{"square", 9, 9, []float64{6, 5, 4.1, 3.3, 2.4, 1.9, 1.2, 0.8, 0.2}, 4},
		{"tall-rankdef", 12, 8, []float64{5, 3.9, 3, 2.1, 1.3}, 3},
		{"wide-rankdef", 7, 13, []float64{5, 3.9, 3, 2.1}, 2},
		{"square-rankdef", 8, 8, []float64{4, 3, 2.5, 1.5, 0.7}, 2},
		{"tall-k=rank", 10, 6, []float64{3, 2.5, 2, 1.2}, 4},
		{"wide-k=rank", 6, 10, []float64{3, 2.5, 2}, 3},
		{"tall-k=r", 10, 6, []float64{3, 2.5, 2, 1.2}, 6},
		{"wide-k=r", 5, 9, []float64{3, 2.5, 2, 1.2, 0.4}, 5},
		{"square-tie-inside-k", 6, 6, []float64{3, 3, 3, 1, 0.5, 0.2}, 3},
		{"tall-tie-beyond-k", 9, 5, []float64{4, 2, 1, 1, 1}, 2},
		{"k=1", 8, 5, []float64{2, 1, 0.9, 0.5, 0.1}, 1},
	}
}

// TestSVDReconstructBackwardFD checks the VJP of Y_k = U_k S_k V_kᵀ
// against central finite differences of ⟨C, Y_k(A)⟩ in float64, with the
// forward recomputed by SVDJacobi64 at every step.
func TestSVDReconstructBackwardFD(t *testing.T) {
	for _, tc := range bwCases() {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(len(tc.name)*31 + tc.k)))
			m, n, k := tc.m, tc.n, tc.k
			a := bwMat64(rng, m, n, tc.s)
			c := bwRand64(rng, m*n)
			y := make([]float64, m*n)
			loss := func(a []float64) float64 {
				bwSVD64(t, m, n, a).Reconstruct(k, y, n)
				return bwDot(c, y)
			}
			fd := bwFD(a, 1e-6, loss)
			s := bwSVD64(t, m, n, a)
			got := make([]float64, m*n)
			s.ReconstructBackward(k, c, n, got, n)
			if e := bwRelErr(got, fd); e > 1e-6 {
				t.Errorf("‖gA − FD‖/‖FD‖ = %.3g (gA[0] = %v, FD[0] = %v)", e, got[0], fd[0])
			}
		})
	}
}

// TestSVDBackwardFD checks the full (gU, gS, gV) VJP against central finite
// differences of ⟨CU, U⟩ + ⟨cS, S⟩ + ⟨CV, V⟩ on matrices with distinct,
// non-zero singular values (where U and V are differentiable; the SVD's
// sign rule is locally constant there), each part alone and all together.
func TestSVDBackwardFD(t *testing.T) {
	shapes := []struct {
		name string
		m, n int
		s    []float64
	}{
		{"tall", 10, 6, []float64{5, 4, 3, 2.2, 1.4, 0.7}},
		{"wide", 5, 9, []float64{4, 3.1, 2.3, 1.5, 0.6}},
		{"square", 7, 7, []float64{6, 4.8, 3.9, 2.7, 1.9, 1.2, 0.5}},
	}
	for _, sh := range shapes {
		for _, parts := range []string{"U", "S", "V", "USV"} {
			t.Run(sh.name+"/"+parts, func(t *testing.T) {
				rng := rand.New(rand.NewSource(int64(len(sh.name) + 7*len(parts))))
				m, n, r := sh.m, sh.n, len(sh.s)
				a := bwMat64(rng, m, n, sh.s)
				var cu, cs, cv []float64
				if strings.Contains(parts, "U") {
					cu = bwRand64(rng, m*r)
				}
				if strings.Contains(parts, "S") {
					cs = bwRand64(rng, r)
				}
				if strings.Contains(parts, "V") {
					cv = bwRand64(rng, n*r)
				}
				loss := func(a []float64) float64 {
					s := bwSVD64(t, m, n, a)
					var l float64
					if cu != nil {
						l += bwDot(cu, s.U)
					}
					if cs != nil {
						l += bwDot(cs, s.S)
					}
					if cv != nil {
						l += bwDot(cv, s.V)
					}
					return l
				}
				fd := bwFD(a, 1e-6, loss)
				got := make([]float64, m*n)
				bwSVD64(t, m, n, a).Backward(cu, cs, cv, got, n)
				if e := bwRelErr(got, fd); e > 1e-6 {
					t.Errorf("‖gA − FD‖/‖FD‖ = %.3g", e)
				}
			})
		}
	}
}

// TestSVDReconstructBackwardMatchesBackward checks that the closed form
// of ReconstructBackward equals Backward fed with gU = G V_k S_k,
// gV = Gᵀ U_k S_k, gS = diag(U_kᵀ G V_k) (zero beyond k), the statement in
// DESIGN.md, where the singular values are distinct and non-zero.
func TestSVDReconstructBackwardMatchesBackward(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, sh := range [][3]int{{11, 6, 2}, {6, 11, 3}, {8, 8, 5}, {9, 4, 4}, {4, 9, 1}} {
		m, n, k := sh[0], sh[1], sh[2]
		r := min(m, n)
		sv := make([]float64, r)
		for i := range sv {
			sv[i] = float64(r-i) + 0.3*rng.Float64()
		}
		s := bwSVD64(t, m, n, bwMat64(rng, m, n, sv))
		g := bwRand64(rng, m*n)
		gU, gS, gV := make([]float64, m*r), make([]float64, r), make([]float64, n*r)
		for a := 0; a < k; a++ {
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					gU[i*r+a] += g[i*n+j] * s.V[j*r+a] * s.S[a]
					gV[j*r+a] += g[i*n+j] * s.U[i*r+a] * s.S[a]
					gS[a] += s.U[i*r+a] * g[i*n+j] * s.V[j*r+a]
				}
			}
		}
		want := make([]float64, m*n)
		s.Backward(gU, gS, gV, want, n)
		got := make([]float64, m*n)
		s.ReconstructBackward(k, g, n, got, n)
		if e := bwRelErr(got, want); e > 1e-10 {
			t.Errorf("%d×%d k=%d: closed form vs composed Backward: rel err %.3g", m, n, k, e)
		}
	}
}

// bwTo32 rounds x to float32.
func bwTo32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// TestSVDBackward32 checks the float32 paths against the float64 ones on
// the same (float32-representable) matrix, with well separated singular
// values, and with strided G and gA.
func TestSVDBackward32(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, sh := range [][3]int{{128, 64, 16}, {64, 128, 8}, {32, 32, 10}, {40, 7, 7}, {7, 40, 3}} {
		m, n, k := sh[0], sh[1], sh[2]
		r := min(m, n)
		sv := make([]float64, r)
		for i := range sv {
			sv[i] = 1 + 2*float64(r-i)/float64(r)
		}
		a32 := bwTo32(bwMat64(rng, m, n, sv))
		a64 := make([]float64, m*n)
		for i, x := range a32 {
			a64[i] = float64(x)
		}
		s32, err := SVDJacobi(m, n, a32, n)
		if err != nil {
			t.Fatal(err)
		}
		s64 := bwSVD64(t, m, n, a64)
		g64 := bwRand64(rng, m*n)
		ld := n + 3
		g32 := make([]float32, (m-1)*ld+n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				g32[i*ld+j] = float32(g64[i*n+j])
			}
		}
		unstride := func(x []float32) []float32 {
			y := make([]float32, m*n)
			for i := 0; i < m; i++ {
				copy(y[i*n:(i+1)*n], x[i*ld:i*ld+n])
			}
			return y
		}
		want := make([]float64, m*n)
		s64.ReconstructBackward(k, g64, n, want, n)
		got := make([]float32, len(g32))
		s32.ReconstructBackward(k, g32, ld, got, ld)
		if e := bwRelErr(unstride(got), want); e > 2e-4 {
			t.Errorf("%d×%d k=%d ReconstructBackward: float32 vs float64 rel err %.3g", m, n, k, e)
		}

		gU, gS, gV := bwRand64(rng, m*r), bwRand64(rng, r), bwRand64(rng, n*r)
		s64.Backward(gU, gS, gV, want, n)
		s32.Backward(bwTo32(gU), bwTo32(gS), bwTo32(gV), got, ld)
		// The signs of the singular vectors agree between the two forwards
		// (deterministic rule), so the upstream gradients mean the same.
		if e := bwRelErr(unstride(got), want); e > 2e-4 {
			t.Errorf("%d×%d Backward: float32 vs float64 rel err %.3g", m, n, e)
		}
	}
}

func bwFinite[T svdFloat](x []T) bool {
	for _, v := range x {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// TestSVDBackwardDegenerate checks finite outputs (and, where the answer is
// known exactly, the value) on exactly repeated and exactly zero singular
// values, for both precisions, every k and random upstream gradients.
func TestSVDBackwardDegenerate(t *testing.T) {
	type mk struct {
		name string
		m, n int
		a    func(i, j int) float64
	}
	mats := []mk{
		{"identity", 6, 6, func(i, j int) float64 { return b2f(i == j) }},
		{"identity-tall", 9, 5, func(i, j int) float64 { return b2f(i == j) }},
		{"identity-wide", 4, 8, func(i, j int) float64 { return 2 * b2f(i == j) }},
		{"zero", 7, 5, func(i, j int) float64 { return 0 }},
		{"zero-wide", 3, 6, func(i, j int) float64 { return 0 }},
		{"rank1", 8, 6, func(i, j int) float64 { return math.Sin(float64(i)+1) * math.Cos(float64(j)+0.3) }},
		{"rank1-wide", 5, 9, func(i, j int) float64 { return math.Sin(float64(i)+2) * math.Cos(float64(j)+0.7) }},
		{"repeated-pairs", 6, 4, func(i, j int) float64 { return b2f(i == j) * float64(2-j/2) }},
		{"tiny", 6, 4, func(i, j int) float64 { return b2f(i == j) * []float64{1, 1e-13, 1e-14, 0}[j] }},
	}
	rng := rand.New(rand.NewSource(11))
	for _, mt := range mats {
		m, n, r := mt.m, mt.n, min(mt.m, mt.n)
		a64 := make([]float64, m*n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				a64[i*n+j] = mt.a(i, j)
			}
		}
		s64 := bwSVD64(t, m, n, a64)
		s32, err := SVDJacobi(m, n, bwTo32(a64), n)
		if err != nil {
			t.Fatal(mt.name, err)
		}
		g := bwRand64(rng, m*n)
		gU, gS, gV := bwRand64(rng, m*r), bwRand64(rng, r), bwRand64(rng, n*r)
		out64, out32 := make([]float64, m*n), make([]float32, m*n)
		s64.Backward(gU, gS, gV, out64, n)
		s32.Backward(bwTo32(gU), bwTo32(gS), bwTo32(gV), out32, n)
		if !bwFinite(out64) || !bwFinite(out32) {
			t.Errorf("%s: Backward not finite", mt.name)
		}
		for k := 0; k <= r; k++ {
			s64.ReconstructBackward(k, g, n, out64, n)
			s32.ReconstructBackward(k, bwTo32(g), n, out32, n)
			if !bwFinite(out64) || !bwFinite(out32) {
				t.Errorf("%s k=%d: ReconstructBackward not finite", mt.name, k)
			}
			// Y_k = A for k = R, so gA = G exactly, degenerate or not.
			if k == r {
				if e := bwRelErr(out64, g); e > 1e-12 {
					t.Errorf("%s k=R: gA ≠ G, rel err %.3g", mt.name, e)
				}
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestSVDBackwardNoAlloc checks that the Work forms do not allocate in a
// training-step loop at an RRAE latent shape.
func TestSVDBackwardNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	rng := rand.New(rand.NewSource(2))
	m, n, k := 128, 64, 16
	a := svdRandMat(rng, m, n)
	s, err := SVDJacobi(m, n, a, n)
	if err != nil {
		t.Fatal(err)
	}
	g := svdRandMat(rng, m, n)
	gU, gS, gV := svdRandMat(rng, m, n), svdRandMat(rng, 1, n), svdRandMat(rng, n, n)
	gA := make([]float32, m*n)
	work := make([]float32, SVDBackwardWorkLen(m, n))
	y := make([]float32, m*n)
	rw := make([]float32, ReconstructWorkLen(m, k))
	for name, f := range map[string]func(){
		"ReconstructWork":         func() { s.ReconstructWork(k, y, n, rw) },
		"ReconstructBackwardWork": func() { s.ReconstructBackwardWork(k, g, n, gA, n, work) },
		"BackwardWork":            func() { s.BackwardWork(gU, gS, gV, gA, n, work) },
	} {
		f()
		if allocs := testing.AllocsPerRun(20, f); allocs != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, allocs)
		}
	}
}

func TestSVDBackwardPanics(t *testing.T) {
	s, err := SVDJacobi(6, 4, make([]float32, 24), 4)
	if err != nil {
		t.Fatal(err)
	}
	s64, err := SVDJacobi64(4, 6, make([]float64, 24), 6)
	if err != nil {
		t.Fatal(err)
	}
	f32 := func(n int) []float32 { return make([]float32, n) }
	f64 := func(n int) []float64 { return make([]float64, n) }
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { s.ReconstructBackward(5, f32(24), 4, f32(24), 4) }, "k = 5 out of range [0, 4]"},
		{func() { s.ReconstructBackward(-1, f32(24), 4, f32(24), 4) }, "k = -1 out of range"},
		{func() { s.ReconstructBackward(2, f32(23), 4, f32(24), 4) }, "len(G) = 23 < 24"},
		{func() { s.ReconstructBackward(2, f32(24), 3, f32(24), 4) }, "stride of G = 3 < max(1, 4)"},
		{func() { s.ReconstructBackward(2, f32(24), 4, f32(20), 4) }, "len(gA) = 20 < 24"},
		{func() { s.ReconstructBackwardWork(2, f32(24), 4, f32(24), 4, f32(10)) }, "len(work) = 10 < SVDBackwardWorkLen(6, 4)"},
		{func() { s.Backward(f32(23), nil, nil, f32(24), 4) }, "len(gU) = 23 < 24"},
		{func() { s.Backward(nil, f32(3), nil, f32(24), 4) }, "len(gS) = 3 < R = 4"},
		{func() { s.Backward(nil, nil, f32(15), f32(24), 4) }, "len(gV) = 15 < 16"},
		{func() { s.BackwardWork(nil, nil, nil, f32(24), 4, f32(1)) }, "len(work) = 1"},
		{func() { s64.Backward(nil, nil, nil, f64(24), 5) }, "SVD64.Backward: stride of gA = 5 < max(1, 6)"},
		{func() { s64.ReconstructBackward(5, f64(24), 6, f64(24), 6) }, "SVD64.ReconstructBackward: k = 5 out of range [0, 4]"},
	} {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want it to contain %q", msg, tc.want)
				}
			}()
			tc.f()
		}()
	}
}
