package linalg

import (
	"math/rand/v2"
	"testing"

	"github.com/rankae/rankae/kernels"
)

// TestSgemmPackedBands packs A once and multiplies it by the bands of columns
// of a B, as a convolution does, on each variant and on one and three threads:
// every band's product must equal Sgemm's bit for bit, as the same kernels run
// in the same order.
func TestSgemmPackedBands(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	const m, k, n, band = 70, 400, 300, 64
	for _, threads := range []int{1, 3} {
		prev := SetThreads(threads)
		for _, v := range kernels.Variants() {
			for _, transA := range []bool{false, true} {
				lda := k
				if transA {
					lda = m
				}
				a := newTestMatrix(r, m, k, k)
				if transA {
					a = newTestMatrix(r, k, m, m)
				}
				b := newTestMatrix(r, k, n, n)
				var pa PackedA
				pa.pack(v, transA, m, k, 0.5, a.data, lda)
				if pm, pk := pa.Dims(); pm != m || pk != k {
					t.Fatalf("Dims() = %d, %d, want %d, %d", pm, pk, m, k)
				}
				for j := 0; j < n; j += band {
					cn := min(band, n-j)
					want, got := make([]float32, m*cn), make([]float32, m*cn)
					sgemmThreads(v, threads, transA, false, m, cn, k, 0.5, a.data, lda, b.data[j:], n, 0, want, cn)
					SgemmPacked(&pa, false, cn, b.data[j:], n, 0, got, cn)
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("%v threads=%d tA=%v band %d: C[%d] = %v, Sgemm gives %v", v, threads, transA, j, i, got[i], want[i])
						}
					}
				}
			}
		}
		SetThreads(prev)
	}
}

func TestSgemmPackedPanics(t *testing.T) {
	a := make([]float32, 6)
	var pa PackedA
	pa.Pack(false, 2, 3, 1, a, 3)
	checkPanics(t, []panicCase{
		{"linalg: PackedA.Pack: m, k = -1, 3 < 0", func() { pa.Pack(false, -1, 3, 1, a, 3) }},
		{"linalg: PackedA.Pack: lda = 2 < max(1, 3)", func() { pa.Pack(false, 2, 3, 1, a, 2) }},
		{"linalg: PackedA.Pack: len(a) = 6 < 8 for a 3×2 matrix with lda = 3", func() { pa.Pack(true, 2, 3, 1, a, 3) }},
		{"linalg: SgemmPacked: n = -1 < 0", func() { SgemmPacked(&pa, false, -1, a, 2, 0, a, 2) }},
		{"linalg: SgemmPacked: len(b) = 6 < 8 for a 3×2 matrix with ldb = 3", func() { SgemmPacked(&pa, false, 2, a, 3, 0, a, 2) }},
		{"linalg: SgemmPacked: len(c) = 1 < 4 for a 2×2 matrix with ldc = 2", func() { SgemmPacked(&pa, false, 2, a, 2, 0, a[:1], 2) }},
	})
}

// TestSgemmPackedAllocatesNothing: packing again into the same PackedA reuses
// its storage, and the product allocates nothing, on one thread and on three.
func TestSgemmPackedAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	r := rand.New(rand.NewPCG(23, 24))
	a, b, c := newTestMatrix(r, 125, 300, 300), newTestMatrix(r, 300, 140, 140), newTestMatrix(r, 125, 140, 140)
	var pa PackedA
	for _, threads := range []int{1, 3} {
		prev := SetThreads(threads)
		step := func() {
			pa.Pack(false, 125, 300, 1, a.data, 300)
			SgemmPacked(&pa, false, 140, b.data, 140, 0, c.data, 140)
		}
		step()
		allocs := testing.AllocsPerRun(20, step)
		SetThreads(prev)
		if allocs != 0 {
			t.Fatalf("Pack and SgemmPacked on %d threads allocate %v times per call in steady state", threads, allocs)
		}
	}
}
