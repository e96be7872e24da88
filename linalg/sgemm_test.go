package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rankae/rankae/kernels"
)

const eps32 = 1.0 / (1 << 23)

var guardBits = uint32(0x7fc0dead)

// testMatrix returns a rows×cols matrix with stride ld, filled with values in
// [-1, 1), inside a buffer with NaN guard bands before, after and in the gaps
// between rows; check tells whether the guards are intact.
type testMatrix struct {
	buf        []float32
	data       []float32
	rows, cols int
	ld         int
}

const guard = 16

func newTestMatrix(r *rand.Rand, rows, cols, ld int) *testMatrix {
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*ld + cols
	}
	buf := make([]float32, guard+n+guard)
	for i := range buf {
		buf[i] = math.Float32frombits(guardBits)
	}
	m := &testMatrix{buf: buf, data: buf[guard : guard+n : guard+n], rows: rows, cols: cols, ld: ld}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			m.data[i*ld+j] = 2*r.Float32() - 1
		}
	}
	return m
}

func (m *testMatrix) at(i, j int) float32 { return m.data[i*m.ld+j] }

func (m *testMatrix) checkGuards(t *testing.T, what string) {
	t.Helper()
	for idx, v := range m.buf {
		i := idx - guard
		inside := i >= 0 && i < len(m.data) && i%m.ld < m.cols
		if !inside && math.Float32bits(v) != guardBits {
			t.Fatalf("%s: wrote outside the matrix at offset %d", what, i)
		}
	}
}

// checkSgemm runs sgemm, and SgemmPacked on A packed by PackedA, with variant v
// on random matrices and compares every element of C with a float64 reference,
// within the bound for a dot product of length k plus the beta term:
// (k+2)·u·(|alpha|·Σ|a||b| + |beta·c|).
func checkSgemm(t *testing.T, r *rand.Rand, v *kernels.Variant, transA, transB bool, m, n, k int, alpha, beta float32, pad int) {
	t.Helper()
	ra, ca := m, k
	if transA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if transB {
		rb, cb = n, k
	}
	a := newTestMatrix(r, ra, ca, max(1, ca)+pad)
	b := newTestMatrix(r, rb, cb, max(1, cb)+pad)
	c := newTestMatrix(r, m, n, max(1, n)+pad)
	if beta == 0 && m > 0 && n > 0 {
		c.data[0] = float32(math.NaN()) // beta = 0 must overwrite even NaN
	}
	c0 := append([]float32(nil), c.data...)
	opA := func(i, p int) float32 {
		if transA {
			return a.at(p, i)
		}
		return a.at(i, p)
	}
	opB := func(p, j int) float32 {
		if transB {
			return b.at(j, p)
		}
		return b.at(p, j)
	}
	name := fmt.Sprintf("%v tA=%v tB=%v m=%d n=%d k=%d alpha=%v beta=%v pad=%d", v, transA, transB, m, n, k, alpha, beta, pad)
	// The same product through Sgemm and through a PackedA, each on its own
	// copy of C and its guards.
	cp := &testMatrix{buf: append([]float32(nil), c.buf...), rows: c.rows, cols: c.cols, ld: c.ld}
	cp.data = cp.buf[guard : guard+len(c.data) : guard+len(c.data)]
	sgemm(v, transA, transB, m, n, k, alpha, a.data, a.ld, b.data, b.ld, beta, c.data, c.ld)
	var pa PackedA
	pa.pack(v, transA, m, k, alpha, a.data, a.ld)
	SgemmPacked(&pa, transB, n, b.data, b.ld, beta, cp.data, cp.ld)
	for _, got := range []struct {
		what string
		c    *testMatrix
	}{{"Sgemm " + name, c}, {"SgemmPacked " + name, cp}} {
		checkProduct(t, got.what, got.c, c0, m, n, k, alpha, beta, opA, opB)
	}
}

// checkProduct compares every element of c with a float64 reference of
// alpha·op(A)·op(B) + beta·C0, within the bound for a dot product of length k
// plus the beta term, and checks c's guards.
func checkProduct(t *testing.T, name string, c *testMatrix, c0 []float32, m, n, k int, alpha, beta float32, opA, opB func(i, j int) float32) {
	t.Helper()
	c.checkGuards(t, name)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var want, abs float64
			for p := 0; p < k; p++ {
				x := float64(opA(i, p)) * float64(opB(p, j))
				want += x
				abs += math.Abs(x)
			}
			want *= float64(alpha)
			abs *= math.Abs(float64(alpha))
			if beta != 0 {
				bc := float64(beta) * float64(c0[i*c.ld+j])
				want += bc
				abs += math.Abs(bc)
			}
			got := float64(c.at(i, j))
			tol := float64(k+2) * eps32 * abs
			if math.IsNaN(got) || math.Abs(got-want) > tol {
				t.Fatalf("%s: C[%d,%d] = %v, want %v ± %v", name, i, j, got, want, tol)
			}
		}
	}
}

func TestSgemmSmallExhaustive(t *testing.T) {
	sizes := []int{0, 1, 2, 3, 5, 7, 12, 13, 17, 31, 33, 48, 70}
	if testing.Short() {
		sizes = []int{0, 1, 3, 13, 33}
	}
	for _, v := range kernels.Variants() {
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, uint64(v.Level())))
			for _, m := range sizes {
				for _, n := range sizes {
					for _, k := range sizes {
						tA, tB := (m+n)%2 == 1, (n+k)%2 == 1
						checkSgemm(t, r, v, tA, tB, m, n, k, 1, 0, (m+k)%3)
					}
				}
			}
		})
	}
}

func TestSgemmTransposesAndScalars(t *testing.T) {
	for _, v := range kernels.Variants() {
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(6, uint64(v.Level())))
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {0, 0.5}, {2, -1}} {
						checkSgemm(t, r, v, tA, tB, 37, 45, 29, ab[0], ab[1], 3)
					}
					checkSgemm(t, r, v, tA, tB, 5, 6, 0, 1, 0.5, 1) // k = 0 only scales C
				}
			}
		})
	}
}

func TestSgemmLargeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	count := 6
	if testing.Short() {
		count = 2
	}
	for _, v := range kernels.Variants() {
		t.Run(v.String(), func(t *testing.T) {
			for range count {
				m, n, k := 1+r.IntN(300), 1+r.IntN(300), 1+r.IntN(600)
				checkSgemm(t, r, v, r.IntN(2) == 1, r.IntN(2) == 1, m, n, k, 2*r.Float32()-1, r.Float32(), r.IntN(4))
			}
		})
	}
}

// TestSgemmRowOrder covers the small-k path (serialRows) over several blocks of
// columns, with partial row panels and partial column tiles at the edges.
func TestSgemmRowOrder(t *testing.T) {
	for _, v := range kernels.Variants() {
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(13, uint64(v.Level())))
			for _, s := range [][3]int{{37, 4001, 9}, {16, 2500, 32}, {5, 3000, 1}, {48, 1800, 16}} {
				checkSgemm(t, r, v, false, false, s[0], s[1], s[2], 1.5, 0, 1)
				checkSgemm(t, r, v, s[2]%2 == 1, false, s[0], s[1], s[2], -1, 0.5, 0)
			}
		})
	}
}

// TestSgemmParallel runs shapes large enough to be split among workers, split by
// rows and by columns; run it with -race.
func TestSgemmParallel(t *testing.T) {
	defer SetThreads(SetThreads(3))
	r := rand.New(rand.NewPCG(9, 10))
	v := kernels.Active()
	checkSgemm(t, r, v, false, false, 200, 70, 90, 1, 0.5, 1)
	checkSgemm(t, r, v, true, true, 50, 260, 80, 1, 0, 2)
	checkSgemm(t, r, v, false, true, 130, 130, 300, -1, 1, 0)
}

func TestSgemmPanics(t *testing.T) {
	a := make([]float32, 6)
	checkPanics(t, []panicCase{
		{"linalg: Sgemm: m = -1 < 0", func() { Sgemm(false, false, -1, 2, 3, 1, a, 3, a, 2, 0, a, 2) }},
		{"linalg: Sgemm: lda = 2 < max(1, 3)", func() { Sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }},
		{"linalg: Sgemm: len(b) = 6 < 8 for a 3×2 matrix with ldb = 3", func() { Sgemm(false, false, 2, 2, 3, 1, a, 3, a, 3, 0, a, 2) }},
		{"linalg: Sgemm: len(c) = 1 < 4 for a 2×2 matrix with ldc = 2", func() { Sgemm(false, false, 2, 2, 3, 1, a, 3, a, 2, 0, a[:1], 2) }},
	})
}

// panicCase is a call that must panic with the message want.
type panicCase struct {
	want string
	f    func()
}

func checkPanics(t *testing.T, cases []panicCase) {
	t.Helper()
	for _, tc := range cases {
		func() {
			defer func() {
				if r := recover(); fmt.Sprint(r) != tc.want {
					t.Errorf("panic %q, want %q", r, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// TestSgemmAllocatesNothing checks that the packing buffers are reused and the
// parallel hand-off allocates nothing, on one thread and on three; m and n are
// not multiples of any MR or NR, so the edge tiles run too.
func TestSgemmAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	r := rand.New(rand.NewPCG(11, 12))
	a, b, c := newTestMatrix(r, 125, 300, 300), newTestMatrix(r, 300, 140, 140), newTestMatrix(r, 125, 140, 140)
	for _, threads := range []int{1, 3} {
		prev := SetThreads(threads)
		Sgemm(false, false, 125, 140, 300, 1, a.data, 300, b.data, 140, 0, c.data, 140)
		allocs := testing.AllocsPerRun(20, func() {
			Sgemm(false, false, 125, 140, 300, 1, a.data, 300, b.data, 140, 0, c.data, 140)
		})
		SetThreads(prev)
		if allocs != 0 {
			t.Fatalf("Sgemm on %d threads allocates %v times per call in steady state", threads, allocs)
		}
	}
}
