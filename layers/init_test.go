package layers

import (
	"math"
	"testing"
)

func TestDefaultInitLawAndSeed(t *testing.T) {
	a := NewLinear(400, 300, NewRand(7))
	b := NewLinear(400, 300, NewRand(7))
	c := NewLinear(400, 300, NewRand(8))
	bound := 1 / math.Sqrt(400)
	var sum, sumSq float64
	for i, v := range a.Weight.Value.Data {
		if v != b.Weight.Value.Data[i] {
			t.Fatalf("same seed, different weight[%d]: %v, %v", i, v, b.Weight.Value.Data[i])
		}
		if math.Abs(float64(v)) > bound {
			t.Fatalf("weight[%d] = %v outside ±%v", i, v, bound)
		}
		sum += float64(v)
		sumSq += float64(v) * float64(v)
	}
	n := float64(a.Weight.Value.Len())
	// U(±b) has mean 0 and variance b²/3; with n = 120000 draws the sample
	// figures are within a few standard errors of those.
	if mean := sum / n; math.Abs(mean) > 5*bound/math.Sqrt(3*n) {
		t.Errorf("weight mean %v, want 0 ± %v", mean, 5*bound/math.Sqrt(3*n))
	}
	if v := sumSq / n; math.Abs(v/(bound*bound/3)-1) > 0.02 {
		t.Errorf("weight variance %v, want %v (kaiming_uniform(a=√5))", v, bound*bound/3)
	}
	for _, v := range a.Bias.Value.Data {
		if math.Abs(float64(v)) > bound {
			t.Fatalf("bias %v outside ±%v", v, bound)
		}
	}
	if a.Weight.Value.Data[0] == c.Weight.Value.Data[0] && a.Weight.Value.Data[1] == c.Weight.Value.Data[1] {
		t.Error("seeds 7 and 8 gave the same weights")
	}
	if DefaultBound(16) != 0.25 {
		t.Errorf("DefaultBound(16) = %v", DefaultBound(16))
	}
}
