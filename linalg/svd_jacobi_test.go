package linalg

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/rankae/rankae/kernels"
	"gonum.org/v1/gonum/mat"
)

func svdRandMat(rng *rand.Rand, m, n int) []float32 {
	a := make([]float32, m*n)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	return a
}

// svdOrthoMat returns an m×n (m ≥ n) matrix with orthonormal columns (float64).
func svdOrthoMat(rng *rand.Rand, m, n int) *mat.Dense {
	g := mat.NewDense(m, n, nil)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, m, 0, n))
}

func svdFromFactors(u *mat.Dense, s []float64, v *mat.Dense) []float32 {
	m, _ := u.Dims()
	n, _ := v.Dims()
	a := make([]float32, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var x float64
			for k, sk := range s {
				x += u.At(i, k) * sk * v.At(j, k)
			}
			a[i*n+j] = float32(x)
		}
	}
	return a
}

func svdRefValues(t *testing.T, m, n int, a []float32) []float64 {
	t.Helper()
	d := make([]float64, m*n)
	for i, x := range a {
		d[i] = float64(x)
	}
	var s mat.SVD
	if !s.Factorize(mat.NewDense(m, n, d), mat.SVDNone) {
		t.Fatal("gonum SVD failed")
	}
	return s.Values(nil)
}

// orthoErr is ‖XᵀX − I‖_F for the rows×cols row-major X (float64 accumulation).
func orthoErr(rows, cols int, x []float32) float64 {
	var e float64
	for p := 0; p < cols; p++ {
		for q := 0; q < cols; q++ {
			var d float64
			for i := 0; i < rows; i++ {
				d += float64(x[i*cols+p]) * float64(x[i*cols+q])
			}
			if p == q {
				d--
			}
			e += d * d
		}
	}
	return math.Sqrt(e)
}

func svdCheck(t *testing.T, name string, m, n int, a []float32, wantRel float64, checkValues bool) *SVD {
	t.Helper()
	return svdCheckWith(t, name, kernels.Active(), 1, defaultSVDPlan, m, n, a, wantRel, checkValues)
}

// The plans the tests force, to test each on every kernel level: the sweeps
// alone in either order, and the eigenvector preconditioner (followed by
// round-robin sweeps when it leaves pairs to rotate) at every size.
var (
	deRijkOrder     = svdPlan{roundRobinMaxN: 0, parallelMinN: math.MaxInt}
	roundRobinOrder = svdPlan{roundRobinMaxN: math.MaxInt, parallelMinN: 1}
	eigenPlan       = svdPlan{eigenMaxN: math.MaxInt, roundRobinMaxN: svdRoundRobinMaxN, parallelMinN: svdParallelMinN}
	svdPlans        = map[string]svdPlan{"de Rijk": deRijkOrder, "round-robin": roundRobinOrder, "eigen": eigenPlan}
)

// svdCheckWith factorises a with the kernels of v on threads goroutines with
// the given plan and checks the result.
func svdCheckWith(t *testing.T, name string, v *kernels.Variant, threads int, order svdPlan, m, n int, a []float32, wantRel float64, checkValues bool) *SVD {
	t.Helper()
	s := new(SVD)
	if err := s.factorizeWith(v, m, n, a, max(n, 1), svdMaxSweeps32, threads, order); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	r := min(m, n)
	if s.M != m || s.N != n || s.R != r || len(s.U) != m*r || len(s.S) != r || len(s.V) != n*r {
		t.Fatalf("%s: bad shapes %d %d %d %d %d %d", name, s.M, s.N, s.R, len(s.U), len(s.S), len(s.V))
	}
	for i, x := range append(append(append([]float32(nil), s.U...), s.S...), s.V...) {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			t.Fatalf("%s: non-finite output at %d", name, i)
		}
	}
	for k := 1; k < r; k++ {
		if s.S[k] > s.S[k-1] {
			t.Fatalf("%s: S not descending: %v", name, s.S)
		}
	}
	if e := orthoErr(m, r, s.U); e > 1e-5 {
		t.Errorf("%s: ‖UᵀU − I‖ = %.3g", name, e)
	}
	if e := orthoErr(n, r, s.V); e > 1e-5 {
		t.Errorf("%s: ‖VᵀV − I‖ = %.3g", name, e)
	}
	if r == 0 {
		return s
	}
	// Residual ‖A − USVᵀ‖/‖A‖ in float64.
	var num, den float64
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var x float64
			for k := 0; k < r; k++ {
				x += float64(s.U[i*r+k]) * float64(s.S[k]) * float64(s.V[j*r+k])
			}
			d := float64(a[i*n+j]) - x
			num += d * d
			den += float64(a[i*n+j]) * float64(a[i*n+j])
		}
	}
	if den > 0 && math.Sqrt(num/den) > 1e-5 {
		t.Errorf("%s: ‖A − USVᵀ‖/‖A‖ = %.3g", name, math.Sqrt(num/den))
	}
	if checkValues {
		ref := svdRefValues(t, m, n, a)
		for k := 0; k < r; k++ {
			d := math.Abs(float64(s.S[k]) - ref[k])
			if d > wantRel*ref[0] && d > wantRel*ref[k] {
				t.Errorf("%s: S[%d] = %v, gonum %v (rel %.3g)", name, k, s.S[k], ref[k], d/ref[k])
			}
		}
	}
	return s
}

func TestSVDJacobiShapes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, sh := range [][2]int{{64, 32}, {128, 64}, {32, 64}, {1, 1}, {5, 1}, {1, 5}, {7, 7}, {100, 1}, {1, 100}, {50, 30}, {30, 50}} {
		m, n := sh[0], sh[1]
		a := svdRandMat(rng, m, n)
		svdCheck(t, "random", m, n, a, 1e-5, true)
	}
}

func TestSVDJacobiEmpty(t *testing.T) {
	for _, sh := range [][2]int{{0, 3}, {3, 0}, {0, 0}} {
		s, err := SVDJacobi(sh[0], sh[1], nil, max(sh[1], 1))
		if err != nil || s.R != 0 || len(s.U) != 0 || len(s.V) != 0 || len(s.S) != 0 {
			t.Errorf("%v: %+v %v", sh, s, err)
		}
	}
}

func TestSVDJacobiZero(t *testing.T) {
	for _, sh := range [][2]int{{6, 4}, {4, 6}} {
		s := svdCheck(t, "zero", sh[0], sh[1], make([]float32, sh[0]*sh[1]), 0, false)
		for _, x := range s.S {
			if x != 0 {
				t.Errorf("zero: S = %v", s.S)
			}
		}
	}
}

// svdGradedMat returns a random m×n matrix (n ≥ 2) whose columns are scaled
// from 1e-6 to 1e6: κ ≈ 1e12.
func svdGradedMat(rng *rand.Rand, m, n int) []float32 {
	a := svdRandMat(rng, m, n)
	for j := 0; j < n; j++ {
		sc := float32(math.Pow(10, -6+12*float64(j)/float64(n-1)))
		for i := 0; i < m; i++ {
			a[i*n+j] *= sc
		}
	}
	return a
}

func TestSVDJacobiGraded(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	m, n := 40, 13
	a := svdGradedMat(rng, m, n)
	// Column scaling: relative accuracy of Jacobi holds per σ; check against
	// the largest σ (the matrix is ill-conditioned, κ ≈ 1e12).
	s := svdCheck(t, "graded", m, n, a, 1e-5, false)
	ref := svdRefValues(t, m, n, a)
	for k := range ref {
		if d := math.Abs(float64(s.S[k]) - ref[k]); d > 1e-5*ref[k] {
			t.Errorf("graded: S[%d] = %v, gonum %v", k, s.S[k], ref[k])
		}
	}
}

func TestSVDJacobiRankDeficient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	u := svdOrthoMat(rng, 20, 3)
	v := svdOrthoMat(rng, 10, 3)
	a := svdFromFactors(u, []float64{5, 2, 0.5}, v)
	s := svdCheck(t, "rank3", 20, 10, a, 1e-5, true)
	for k := 3; k < 10; k++ {
		if s.S[k] > 1e-5 {
			t.Errorf("rank3: S[%d] = %v", k, s.S[k])
		}
	}
}

func TestSVDJacobiRepeated(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	u := svdOrthoMat(rng, 9, 5)
	v := svdOrthoMat(rng, 5, 5)
	a := svdFromFactors(u, []float64{2, 2, 1, 1, 1}, v)
	svdCheck(t, "repeated", 9, 5, a, 1e-5, true)
	q := svdOrthoMat(rng, 5, 5)
	a2 := svdFromFactors(q, []float64{2, 2, 1, 1, 1}, mat.NewDense(5, 5, []float64{1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}))
	svdCheck(t, "repeated-square", 5, 5, a2, 1e-5, true)
}

func TestSVDJacobiNonFinite(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		a := make([]float32, 12)
		a[7] = bad
		if _, err := SVDJacobi(3, 4, a, 4); err == nil || !strings.Contains(err.Error(), "not finite") {
			t.Errorf("%v: err = %v", bad, err)
		}
	}
	if _, err := SVDJacobi64(2, 2, []float64{1, math.NaN(), 0, 1}, 2); err == nil {
		t.Error("float64 NaN: no error")
	}
}

// TestSVDJacobiExactRankOne: on an exactly rank-1 matrix (with a zero column)
// the rotations leave columns of rounding residue that decay into float32's
// subnormal range, where a rotation underflows and changes nothing; before
// negligibleSq32 the iteration rotated them until the sweep cap.
func TestSVDJacobiExactRankOne(t *testing.T) {
	const m, n = 8, 6
	a, at := make([]float32, m*n), make([]float32, n*m)
	a64 := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			a[i*n+j] = float32((i + 1) * (j - 2))
			at[j*m+i] = a[i*n+j]
			a64[i*n+j] = float64(a[i*n+j])
		}
	}
	f64s := func(x []float32) []float64 {
		y := make([]float64, len(x))
		for i, e := range x {
			y[i] = float64(e)
		}
		return y
	}
	want := math.Sqrt(204 * 19) // ‖(1..8)‖·‖(−2..3)‖
	check := func(name string, s []float64, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if math.Abs(s[0]-want) > 1e-5*want || s[1] > 1e-5*want {
			t.Errorf("%s: singular values %v, want %.5g and the rest ≈ 0", name, s, want)
		}
	}
	for _, v := range kernels.Variants() {
		for oname, order := range svdPlans {
			name := v.String() + " " + oname
			s := svdCheckWith(t, "rank 1 "+name, v, 1, order, m, n, a, 1e-5, false)
			check(name, f64s(s.S), nil)
			s = svdCheckWith(t, "rank 1 transposed "+name, v, 1, order, n, m, at, 1e-5, false)
			check(name+" transposed", f64s(s.S), nil)
		}
	}
	_, s32, _, err := svdJacobi(m, n, a, n, svdMaxSweeps32)
	check("generic float32", f64s(s32), err)
	s64, err := SVDJacobi64(m, n, a64, n)
	if err != nil {
		t.Fatal(err)
	}
	check("float64", s64.S, err)
}

// TestSVDJacobiLowRankIntegers: exactly low-rank matrices (sums of one to three
// outer products of small integer vectors) cancel exactly, which leaves columns
// of rounding residue near float32's smallest numbers. Before negligibleSq32,
// half of these failed: the QR overflowed to NaN or the sweeps hit the cap.
func TestSVDJacobiLowRankIntegers(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 150; trial++ {
		m, n, rank := 1+rng.Intn(70), 1+rng.Intn(70), 1+rng.Intn(3)
		a := make([]float32, m*n)
		a64 := make([]float64, m*n)
		for k := 0; k < rank; k++ {
			u, v := make([]int, m), make([]int, n)
			for i := range u {
				u[i] = rng.Intn(7) - 3
			}
			for j := range v {
				v[j] = rng.Intn(7) - 3
			}
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					a[i*n+j] += float32(u[i] * v[j])
					a64[i*n+j] += float64(u[i] * v[j])
				}
			}
		}
		name := fmt.Sprintf("%d×%d rank %d", m, n, rank)
		for _, v := range kernels.Variants() {
			for oname, order := range svdPlans {
				svdCheckWith(t, name+" "+v.String()+" "+oname, v, 1, order, m, n, a, 1e-5, true)
			}
		}
		if _, _, _, err := svdJacobi(m, n, a, n, svdMaxSweeps32); err != nil {
			t.Errorf("%s generic: %v", name, err)
		}
		if _, err := SVDJacobi64(m, n, a64, n); err != nil {
			t.Errorf("%s float64: %v", name, err)
		}
	}
}

// TestSVDJacobiSweepCap caps the sweeps at one, on the sweeps alone (the
// preconditioner would leave them nothing to do on these matrices).
func TestSVDJacobiSweepCap(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, sh := range [][2]int{{30, 20}, {60, 20}, {20, 30}} {
		m, n := sh[0], sh[1]
		a := svdRandMat(rng, m, n)
		for pname, plan := range map[string]svdPlan{"de Rijk": deRijkOrder, "round-robin": roundRobinOrder} {
			var s SVD
			err := s.factorizeWith(kernels.Active(), m, n, a, n, 1, 1, plan)
			if err == nil || !strings.Contains(err.Error(), "sweep cap") || !strings.Contains(err.Error(), "‖A − USVᵀ‖/‖A‖ = ") {
				t.Errorf("%v %s: err = %v", sh, pname, err)
			}
			var nc *NotConvergedError
			if !errors.As(err, &nc) || nc.Sweeps != 1 || !(nc.Residual > 0 && nc.Residual < 1e-5) {
				t.Errorf("%v %s: err = %#v, want a NotConvergedError after 1 sweep with a small residual", sh, pname, err)
			}
			if s.R != min(m, n) || len(s.S) != s.R {
				t.Errorf("%v %s: partial result has R = %d, len(S) = %d", sh, pname, s.R, len(s.S))
			}
		}
	}
	a := svdRandMat(rng, 30, 20)
	if _, _, _, err := svdJacobi(30, 20, a, 20, 1); err == nil || !strings.Contains(err.Error(), "sweep cap") {
		t.Errorf("generic: err = %v", err)
	}
}

// TestSVDJacobiLevels runs every kernel level on the QR path (m ≥ 2n), the
// direct path and the transposed one, on random, graded and rank-deficient
// matrices.
func TestSVDJacobiLevels(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	u, v := svdOrthoMat(rng, 70, 6), svdOrthoMat(rng, 33, 6)
	lowRank := svdFromFactors(u, []float64{9, 5, 2, 1, 0.5, 0.1}, v)
	for _, kv := range kernels.Variants() {
		for oname, order := range svdPlans {
			level := kv.String() + " " + oname
			for _, sh := range [][2]int{{64, 32}, {50, 30}, {30, 50}, {129, 17}} {
				svdCheckWith(t, fmt.Sprintf("%s random %v", level, sh), kv, 1, order, sh[0], sh[1], svdRandMat(rng, sh[0], sh[1]), 1e-5, true)
			}
			for _, sh := range [][2]int{{40, 13}, {20, 13}} {
				name := fmt.Sprintf("%s graded %v", level, sh)
				a := svdGradedMat(rng, sh[0], sh[1])
				s := svdCheckWith(t, name, kv, 1, order, sh[0], sh[1], a, 1e-5, false)
				for k, ref := range svdRefValues(t, sh[0], sh[1], a) {
					if d := math.Abs(float64(s.S[k]) - ref); d > 1e-5*ref {
						t.Errorf("%s: S[%d] = %v, gonum %v", name, k, s.S[k], ref)
					}
				}
			}
			s := svdCheckWith(t, level+" rank6", kv, 1, order, 70, 33, lowRank, 1e-5, true)
			for k := 6; k < 33; k++ {
				if s.S[k] > 1e-5 {
					t.Errorf("%s rank6: S[%d] = %v", level, k, s.S[k])
				}
			}
		}
	}
}

// TestSVDJacobiParallel runs the round-robin sweeps on 2 and 3 goroutines
// (odd and even column counts, both paths) and requires the same bits as on
// one goroutine with the same ordering: the ordering, not the scheduling,
// decides the result. make test runs it under -race.
func TestSVDJacobiParallel(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, sh := range [][2]int{{64, 32}, {45, 31}, {31, 45}, {200, 64}} {
		m, n := sh[0], sh[1]
		a := svdRandMat(rng, m, n)
		ref := svdCheckWith(t, fmt.Sprintf("%v threads=2", sh), kernels.Active(), 2, roundRobinOrder, m, n, a, 1e-5, true)
		for _, threads := range []int{3, 4} {
			s := svdCheckWith(t, fmt.Sprintf("%v threads=%d", sh, threads), kernels.Active(), threads, roundRobinOrder, m, n, a, 1e-5, true)
			for i := range s.S {
				if s.S[i] != ref.S[i] {
					t.Fatalf("%v: threads=%d gives S[%d] = %v, threads=2 %v", sh, threads, i, s.S[i], ref.S[i])
				}
			}
		}
	}
}

// TestSVDFactorizeAllocs checks that Factorize reuses its slices and
// workspace: nothing is allocated in steady state, whichever path runs, and
// a small one on several threads starts no workers.
func TestSVDFactorizeAllocs(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for _, sh := range [][2]int{{64, 32}, {40, 30}, {30, 40}} {
		m, n := sh[0], sh[1]
		a := svdRandMat(rng, m, n)
		var s SVD
		if err := s.Factorize(m, n, a, n); err != nil {
			t.Fatal(err)
		}
		for _, threads := range []int{1, 2} {
			allocs := testing.AllocsPerRun(5, func() {
				if err := s.factorize(kernels.Active(), m, n, a, n, svdMaxSweeps32, threads); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v, %d threads: %v allocations per Factorize", sh, threads, allocs)
			}
		}
	}
}

func TestSVDJacobiDeterministic(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	a := svdRandMat(rng, 33, 17)
	s1, _ := SVDJacobi(33, 17, a, 17)
	s2, _ := SVDJacobi(33, 17, a, 17)
	for _, p := range [][2][]float32{{s1.U, s2.U}, {s1.S, s2.S}, {s1.V, s2.V}} {
		for i := range p[0] {
			if math.Float32bits(p[0][i]) != math.Float32bits(p[1][i]) {
				t.Fatal("not bit-identical")
			}
		}
	}
}

func TestSVDJacobiStrided(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	m, n, lda := 9, 4, 6
	a := svdRandMat(rng, m, lda)
	s, err := SVDJacobi(m, n, a, lda)
	if err != nil {
		t.Fatal(err)
	}
	dense := make([]float32, m*n)
	for i := 0; i < m; i++ {
		copy(dense[i*n:(i+1)*n], a[i*lda:i*lda+n])
	}
	s2, _ := SVDJacobi(m, n, dense, n)
	for i := range s.S {
		if s.S[i] != s2.S[i] {
			t.Fatal("strided differs")
		}
	}
}

func TestSVDJacobi64(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	m, n := 30, 12
	a := make([]float64, m*n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	s, err := SVDJacobi64(m, n, a, n)
	if err != nil {
		t.Fatal(err)
	}
	var ref mat.SVD
	ref.Factorize(mat.NewDense(m, n, append([]float64(nil), a...)), mat.SVDNone)
	rv := ref.Values(nil)
	for k := range rv {
		if math.Abs(s.S[k]-rv[k]) > 1e-12*rv[0] {
			t.Errorf("S[%d] = %v, gonum %v", k, s.S[k], rv[k])
		}
	}
	var num float64
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			x := a[i*n+j]
			for k := 0; k < n; k++ {
				x -= s.U[i*n+k] * s.S[k] * s.V[j*n+k]
			}
			num += x * x
		}
	}
	if math.Sqrt(num) > 1e-12*rv[0]*float64(m) {
		t.Errorf("residual %v", math.Sqrt(num))
	}
}

func TestSVDTruncateReconstruct(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	m, n := 12, 8
	a := svdRandMat(rng, m, n)
	s, err := SVDJacobi(m, n, a, n)
	if err != nil {
		t.Fatal(err)
	}
	full := make([]float32, m*n)
	s.Reconstruct(n, full, n)
	for i := range a {
		if math.Abs(float64(full[i]-a[i])) > 1e-4 {
			t.Fatalf("full reconstruct [%d] %v vs %v", i, full[i], a[i])
		}
	}
	k := 3
	tr := s.Truncate(k)
	if tr.R != k || len(tr.U) != m*k || len(tr.V) != n*k {
		t.Fatal("truncate shapes")
	}
	rk := make([]float32, m*n)
	s.Reconstruct(k, rk, n)
	rk2 := make([]float32, m*n)
	tr.Reconstruct(k, rk2, n)
	// Eckart–Young: ‖A − A_k‖_F² = Σ_{i≥k} σ_i².
	var num, want float64
	for i := range a {
		d := float64(a[i] - rk[i])
		num += d * d
		if math.Abs(float64(rk[i]-rk2[i])) > 1e-5 {
			t.Fatal("Truncate/Reconstruct disagree")
		}
	}
	for i := k; i < n; i++ {
		want += float64(s.S[i]) * float64(s.S[i])
	}
	if math.Abs(num-want) > 1e-4*want {
		t.Errorf("‖A − A_k‖² = %v, want %v", num, want)
	}
	z := make([]float32, m*n)
	for i := range z {
		z[i] = 7
	}
	s.Reconstruct(0, z, n)
	for _, x := range z {
		if x != 0 {
			t.Fatal("k=0 not zero")
		}
	}
}

func TestSVDJacobiPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"neg m":     func() { SVDJacobi(-1, 2, nil, 2) },
		"short lda": func() { SVDJacobi(2, 3, make([]float32, 6), 2) },
		"short a":   func() { SVDJacobi(2, 3, make([]float32, 5), 3) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestSVDJacobiStress runs many small random shapes, a third of them with
// integer entries (exactly repeated, parallel and zero columns), and requires
// convergence within the sweep cap and orthonormal factors.
func TestSVDJacobiStress(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for it := 0; it < 300; it++ {
		m, n := 1+rng.Intn(40), 1+rng.Intn(40)
		a := svdRandMat(rng, m, n)
		if it%3 == 0 {
			for i := range a {
				a[i] = float32(int(a[i]))
			}
		}
		s, err := SVDJacobi(m, n, a, n)
		if err != nil {
			t.Fatalf("%d×%d: %v", m, n, err)
		}
		if e := max(orthoErr(m, s.R, s.U), orthoErr(n, s.R, s.V)); e > 1e-5 {
			t.Fatalf("%d×%d: orthogonality %.3g", m, n, e)
		}
	}
}

// TestSVDGradedRelativeAccuracy holds each plan to the relative accuracy of
// the small singular values of a column-graded matrix (κ ≈ 1e12) that it was
// measured to reach, against the float64 Jacobi (relatively accurate, unlike
// gonum's bidiagonal SVD): ≈ 6e-7 for the sweeps alone, ≈ 4e-7 with the
// eigenvector preconditioner. Without its ordering of G by descending
// diagonal the preconditioner kept only ≈ 1e-6 here and 1.4e-5 at 512×256: Z
// resolved the small eigenvalues only to ε₆₄·‖G‖, and X·Z cancelled in its
// small columns.
func TestSVDGradedRelativeAccuracy(t *testing.T) {
	m, n := 128, 64
	a := svdGradedMat(rand.New(rand.NewSource(21)), m, n)
	a64 := make([]float64, len(a))
	for i, x := range a {
		a64[i] = float64(x)
	}
	ref, err := SVDJacobi64(m, n, a64, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		plan  svdPlan
		bound float64
	}{{"sweeps", roundRobinOrder, 5e-6}, {"eigen", eigenPlan, 5e-6}} {
		s := svdCheckWith(t, "graded "+c.name, kernels.Active(), 1, c.plan, m, n, a, 1e-5, false)
		var worst float64
		for k, r := range ref.S {
			worst = math.Max(worst, math.Abs(float64(s.S[k])-r)/r)
		}
		if worst > c.bound {
			t.Errorf("graded %s: worst relative error of S %.3g > %.3g", c.name, worst, c.bound)
		} else {
			t.Logf("graded %s: worst relative error of S %.3g", c.name, worst)
		}
	}
}
