package linalg

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/rankae/rankae/kernels"
)

// TestHouseholderQR factors tall matrices below and above qrBlockedMinN
// columns (one panel, and block reflectors over a ragged last panel) on every
// kernel level and 1 and 2 goroutines, and checks that Q (applyQ on the
// identity's columns) is orthonormal and that Q·R gives A back.
func TestHouseholderQR(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, sh := range [][2]int{{70, 33}, {130, 96}, {250, 100}, {300, 131}} {
		mt, nt := sh[0], sh[1]
		a := make([]float32, mt*nt) // column j at a[j*mt:]
		for i := range a {
			a[i] = float32(rng.NormFloat64()) / 8
		}
		for _, v := range kernels.Variants() {
			if v.Level() == kernels.Generic && nt > 100 {
				continue
			}
			for _, threads := range []int{1, 2} {
				name := fmt.Sprintf("%d×%d %s threads=%d", mt, nt, v, threads)
				x, tau, w := append([]float32(nil), a...), make([]float32, nt), new(qrWork)
				householderQR(v, x, mt, nt, tau, w, threads)
				// Q's first nt columns, and Q·R.
				q, qr := make([]float32, mt*nt), make([]float32, mt*nt)
				for j := 0; j < nt; j++ {
					q[j*mt+j] = 1
					for i := 0; i <= j; i++ {
						qr[j*mt+i] = x[j*mt+i]
					}
				}
				applyQ(v, x, mt, nt, tau, q, nt, w, threads)
				applyQ(v, x, mt, nt, tau, qr, nt, w, threads)
				var orth, res, norm float64
				for j := 0; j < nt; j++ {
					for k := 0; k <= j; k++ {
						var d float64
						for i := 0; i < mt; i++ {
							d += float64(q[j*mt+i]) * float64(q[k*mt+i])
						}
						if j == k {
							d--
						}
						orth = math.Max(orth, math.Abs(d))
					}
					for i := 0; i < mt; i++ {
						e := float64(qr[j*mt+i]) - float64(a[j*mt+i])
						res += e * e
						norm += float64(a[j*mt+i]) * float64(a[j*mt+i])
					}
				}
				if orth > 2e-6 || math.Sqrt(res/norm) > 2e-6 {
					t.Errorf("%s: |QᵀQ − I|max = %.2g, ‖QR − A‖/‖A‖ = %.2g", name, orth, math.Sqrt(res/norm))
				}
			}
		}
	}
}

// TestSVDJacobiBlockedQR runs the SVD where its QR uses block reflectors,
// on random and graded matrices, against gonum's singular values.
func TestSVDJacobiBlockedQR(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	for _, sh := range [][2]int{{250, 100}, {100, 250}} {
		a := svdRandMat(rng, sh[0], sh[1])
		svdCheck(t, fmt.Sprintf("random %v", sh), sh[0], sh[1], a, 1e-5, true)
	}
	m, n := 240, 110
	a := svdGradedMat(rng, m, n)
	s := svdCheck(t, "graded", m, n, a, 1e-5, false)
	var worst float64
	for k, ref := range svdRefValues(t, m, n, a) {
		worst = math.Max(worst, math.Abs(float64(s.S[k])-ref)/ref)
	}
	// The float32 Jacobi itself is good to ≈ 2e-5 on 110 graded columns (the
	// same figure with the unblocked QR); a wrong block reflector is far off.
	t.Logf("graded: worst relative error %.3g", worst)
	if worst > 1e-4 {
		t.Errorf("graded: singular values off by %.3g relative", worst)
	}
}
