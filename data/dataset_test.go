package data

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestDatasetAccessors(t *testing.T) {
	d := NewDataset(3, 2, 2, 2)
	for i := range d.X {
		d.X[i] = float32(i)
	}
	d.Labels = []int{7, 8, 9}
	d.NumParams = 2
	d.Params = []float32{0, 1, 10, 11, 20, 21}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := d.Shape(); got != [4]int{3, 2, 2, 2} {
		t.Fatalf("Shape = %v", got)
	}
	if d.SampleLen() != 8 {
		t.Fatalf("SampleLen = %d", d.SampleLen())
	}
	if s := d.Sample(1); s[0] != 8 || len(s) != 8 || cap(s) != 8 {
		t.Fatalf("Sample(1) = %v (cap %d)", s, cap(s))
	}
	if p := d.Param(2); !slices.Equal(p, []float32{20, 21}) {
		t.Fatalf("Param(2) = %v", p)
	}

	s := d.Subset([]int{2, 0, 2})
	if s.N != 3 || !slices.Equal(s.Labels, []int{9, 7, 9}) || !slices.Equal(s.Params, []float32{20, 21, 0, 1, 20, 21}) {
		t.Fatalf("Subset: N %d labels %v params %v", s.N, s.Labels, s.Params)
	}
	if !slices.Equal(s.Sample(0), d.Sample(2)) || !slices.Equal(s.Sample(1), d.Sample(0)) {
		t.Fatal("Subset copied the wrong samples")
	}
	s.X[0] = -1
	if d.X[16] == -1 {
		t.Fatal("Subset aliases the source")
	}

	c := d.Clone()
	c.X[0], c.Labels[0], c.Params[0] = -5, -5, -5
	if d.X[0] == -5 || d.Labels[0] == -5 || d.Params[0] == -5 {
		t.Fatal("Clone aliases the source")
	}

	bad := &Dataset{X: make([]float32, 5), N: 1, C: 1, H: 2, W: 2}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "5 values for shape") {
		t.Fatalf("Validate: %v", err)
	}
}

func TestGatherNoAlloc(t *testing.T) {
	d := NewDataset(10, 1, 3, 3)
	for i := range d.X {
		d.X[i] = float32(i)
	}
	d.Labels = make([]int, 10)
	for i := range d.Labels {
		d.Labels[i] = i
	}
	buf := make([]float32, 4*9)
	lbuf := make([]int, 4)
	idx := []int{9, 3, 3, 0}
	allocs := testing.AllocsPerRun(100, func() {
		d.Gather(buf, idx)
		d.GatherLabels(lbuf, idx)
	})
	if allocs != 0 {
		t.Fatalf("Gather allocates %v times per call", allocs)
	}
	got := d.Gather(buf, idx)
	for k, i := range idx {
		if !slices.Equal(got[k*9:(k+1)*9], d.Sample(i)) {
			t.Fatalf("batch row %d is not sample %d", k, i)
		}
	}
	if !slices.Equal(d.GatherLabels(lbuf, idx), idx) {
		t.Fatalf("labels %v", lbuf)
	}
}

func TestNormalizer(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6}
	n := FitNormalizer(x)
	if math.Abs(float64(n.Mean)-3.5) > 1e-6 || math.Abs(float64(n.Std)-math.Sqrt(17.5/6)) > 1e-6 {
		t.Fatalf("FitNormalizer = %+v, want mean 3.5, population std %v", n, math.Sqrt(17.5/6))
	}
	y := slices.Clone(x)
	n.Apply(y)
	m := FitNormalizer(y)
	if math.Abs(float64(m.Mean)) > 1e-6 || math.Abs(float64(m.Std)-1) > 1e-6 {
		t.Fatalf("normalised data has mean %v std %v", m.Mean, m.Std)
	}
	n.Invert(y)
	for i := range x {
		if math.Abs(float64(y[i]-x[i])) > 1e-5 {
			t.Fatalf("Invert(Apply(x))[%d] = %v, want %v", i, y[i], x[i])
		}
	}
	if c := FitNormalizer([]float32{2, 2, 2}); c.Std != 1 || c.Mean != 2 {
		t.Fatalf("constant data: %+v, want std replaced by 1", c)
	}
	if e := FitNormalizer(nil); e.Std != 1 {
		t.Fatalf("empty data: %+v", e)
	}
}

func TestFitMinMax(t *testing.T) {
	x := []float32{3, -1, 7, 2}
	n := FitMinMax(x)
	if n.Mean != -1 || n.Std != 8 {
		t.Fatalf("FitMinMax = %+v, want min −1, scale 8", n)
	}
	y := slices.Clone(x)
	n.Apply(y)
	if want := []float32{0.5, 0, 1, 0.375}; !slices.Equal(y, want) {
		t.Fatalf("scaled %v, want %v", y, want)
	}
	if c := FitMinMax([]float32{2, 2}); c.Mean != 2 || c.Std != 1 {
		t.Fatalf("constant data: %+v, want scale 1", c)
	}
	if e := FitMinMax(nil); e.Std != 1 {
		t.Fatalf("empty data: %+v", e)
	}
}

func TestSampler(t *testing.T) {
	const n = 10
	a, b := NewSampler(n, 42), NewSampler(n, 42)
	if !slices.Equal(a.Perm(), b.Perm()) {
		t.Fatal("same seed, different permutations")
	}
	if slices.Equal(a.Perm(), NewSampler(n, 43).Perm()) && slices.Equal(a.Perm(), NewSampler(n, 44).Perm()) {
		t.Fatal("the seed does not change the permutation")
	}
	isPerm := func(p []int) bool {
		q := slices.Sorted(slices.Values(p))
		for i, v := range q {
			if v != i {
				return false
			}
		}
		return len(q) == n
	}
	if !isPerm(a.Perm()) {
		t.Fatalf("not a permutation: %v", a.Perm())
	}

	bs := a.Batches(4)
	if len(bs) != 3 || len(bs[0]) != 4 || len(bs[2]) != 2 {
		t.Fatalf("Batches(4) of 10: lengths %d, %d, %d", len(bs), len(bs[0]), len(bs[len(bs)-1]))
	}
	var all []int
	for _, x := range bs {
		all = append(all, x...)
	}
	if !slices.Equal(all, a.Perm()) {
		t.Fatal("Batches do not walk the permutation in order")
	}
	first := slices.Clone(a.Perm())
	a.Shuffle()
	if a.Epoch() != 1 || !isPerm(a.Perm()) || slices.Equal(first, a.Perm()) {
		t.Fatalf("Shuffle: epoch %d perm %v", a.Epoch(), a.Perm())
	}

	// Next: full batches, a new permutation each epoch, the same sequence
	// for the same seed.
	c, d := NewSampler(n, 7), NewSampler(n, 7)
	seen := map[int]int{}
	for step := 0; step < 6; step++ {
		x, y := c.Next(3), d.Next(3)
		if len(x) != 3 || !slices.Equal(x, y) {
			t.Fatalf("step %d: %v vs %v", step, x, y)
		}
		if c.Epoch() == 0 {
			for _, i := range x {
				seen[i]++
			}
		}
	}
	if c.Epoch() != 1 {
		t.Fatalf("after 6 batches of 3 over 10: epoch %d, want 1", c.Epoch())
	}
	if len(seen) != 9 {
		t.Fatalf("first epoch: %d distinct indices, want 9 (3 full batches): %v", len(seen), seen)
	}
	if got := c.Next(50); len(got) != n {
		t.Fatalf("Next(50) over 10 gave %d indices", len(got))
	}
	if allocs := testing.AllocsPerRun(100, func() { c.Next(3) }); allocs != 0 {
		t.Fatalf("Next allocates %v times per call", allocs)
	}
}
