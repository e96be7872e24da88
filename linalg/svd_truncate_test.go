package linalg

import (
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestSVD64TruncateReconstruct checks the float64 truncated forms: the
// shapes and entries of Truncate, Reconstruct at k = R giving A back,
// Eckart–Young for the rank-k error, agreement of Reconstruct on the
// truncation, ReconstructWork with a strided dst, and k = 0.
func TestSVD64TruncateReconstruct(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, sh := range [][2]int{{12, 8}, {7, 10}, {9, 9}} {
		m, n := sh[0], sh[1]
		a := bwRand64(rng, m*n)
		s, err := SVDJacobi64(m, n, a, n)
		if err != nil {
			t.Fatal(err)
		}
		full := make([]float64, m*n)
		s.Reconstruct(s.R, full, n)
		if e := bwRelErr(full, a); e > 1e-13 {
			t.Errorf("%d×%d: ‖U S Vᵀ − A‖/‖A‖ = %.3g", m, n, e)
		}
		k := 3
		tr := s.Truncate(k)
		if tr.R != k || tr.M != m || tr.N != n || len(tr.U) != m*k || len(tr.S) != k || len(tr.V) != n*k {
			t.Fatalf("%d×%d: truncation has wrong shapes", m, n)
		}
		for i := 0; i < m; i++ {
			for j := 0; j < k; j++ {
				if tr.U[i*k+j] != s.U[i*s.R+j] {
					t.Fatalf("%d×%d: U_k[%d,%d] differs", m, n, i, j)
				}
			}
		}
		for i := 0; i < n; i++ {
			for j := 0; j < k; j++ {
				if tr.V[i*k+j] != s.V[i*s.R+j] {
					t.Fatalf("%d×%d: V_k[%d,%d] differs", m, n, i, j)
				}
			}
		}
		ld := n + 2
		rk := make([]float64, (m-1)*ld+n)
		s.ReconstructWork(k, rk, ld, make([]float64, ReconstructWorkLen(m, k)))
		rk2 := make([]float64, m*n)
		tr.Reconstruct(k, rk2, n)
		var num, want float64
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				d := a[i*n+j] - rk[i*ld+j]
				num += d * d
				if math.Abs(rk[i*ld+j]-rk2[i*n+j]) > 1e-13 {
					t.Fatalf("%d×%d: Reconstruct on the truncation disagrees", m, n)
				}
			}
		}
		for i := k; i < s.R; i++ {
			want += s.S[i] * s.S[i]
		}
		if math.Abs(num-want) > 1e-12*want {
			t.Errorf("%d×%d: ‖A − A_k‖² = %v, want Σ_{i≥k} σ_i² = %v", m, n, num, want)
		}
		for i := range full {
			full[i] = 7
		}
		s.Reconstruct(0, full, n)
		for _, x := range full {
			if x != 0 {
				t.Fatalf("%d×%d: k = 0 does not give zero", m, n)
			}
		}
	}
}

// TestSVDReconstructWork checks that the float32 workspace form matches
// Reconstruct and that both precisions agree.
func TestSVDReconstructWork(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	m, n, k := 20, 13, 5
	a := svdRandMat(rng, m, n)
	s, err := SVDJacobi(m, n, a, n)
	if err != nil {
		t.Fatal(err)
	}
	a64 := make([]float64, m*n)
	for i, x := range a {
		a64[i] = float64(x)
	}
	s64, err := SVDJacobi64(m, n, a64, n)
	if err != nil {
		t.Fatal(err)
	}
	y1, y2, y64 := make([]float32, m*n), make([]float32, m*n), make([]float64, m*n)
	s.Reconstruct(k, y1, n)
	s.ReconstructWork(k, y2, n, make([]float32, ReconstructWorkLen(m, k)))
	s64.Reconstruct(k, y64, n)
	for i := range y1 {
		if y1[i] != y2[i] {
			t.Fatalf("ReconstructWork[%d] = %v, Reconstruct %v", i, y2[i], y1[i])
		}
	}
	if e := bwRelErr(y1, y64); e > 1e-5 {
		t.Errorf("float32 vs float64 rank-%d reconstruction: rel err %.3g", k, e)
	}
}

func TestSVDTruncatePanics(t *testing.T) {
	s64, err := SVDJacobi64(5, 3, make([]float64, 15), 3)
	if err != nil {
		t.Fatal(err)
	}
	s, err := SVDJacobi(5, 3, make([]float32, 15), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { s64.Truncate(4) }, "SVD64.Truncate: k = 4 out of range [0, 3]"},
		{func() { s64.Reconstruct(-1, make([]float64, 15), 3) }, "SVD64.Reconstruct: k = -1 out of range"},
		{func() { s64.Reconstruct(2, make([]float64, 14), 3) }, "len(dst) = 14 < 15"},
		{func() { s64.Reconstruct(2, make([]float64, 15), 2) }, "ldd = 2 < max(1, 3)"},
		{func() { s.ReconstructWork(2, make([]float32, 15), 3, make([]float32, 9)) }, "SVD.Reconstruct: len(work) = 9 < M·k = 10"},
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want it to contain %q", msg, tc.want)
				}
			}()
			tc.f()
		}()
	}
}
