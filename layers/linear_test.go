package layers

import (
	"math"
	"slices"
	"testing"
)

// Gradients accumulate over Backward calls, and SkipInputGrad leaves the
// parameter gradients as they would be.
func TestLinearAccumulatesAndSkips(t *testing.T) {
	rng := NewRand(4)
	l := NewLinear(5, 3, NewRand(1))
	x := randTensor(rng, -1, 1, 4, 5)
	dy := randTensor(rng, -1, 1, 4, 3)
	l.Forward(x)
	l.Backward(dy)
	once := append([]float32(nil), l.Weight.Grad.Data...)
	onceB := append([]float32(nil), l.Bias.Grad.Data...)
	l.SkipInputGrad = true
	if dx := l.Backward(dy); dx != nil {
		t.Errorf("SkipInputGrad: Backward returned %v, want nil", dx)
	}
	for i := range once {
		if got, want := l.Weight.Grad.Data[i], 2*once[i]; got != want {
			t.Fatalf("weight grad[%d] after two backward passes %v, want %v", i, got, want)
		}
	}
	for i := range onceB {
		// The bias gradient is a running sum over rows: equal up to rounding.
		if got, want := l.Bias.Grad.Data[i], 2*onceB[i]; math.Abs(float64(got-want)) > 1e-6*math.Abs(float64(want)) {
			t.Fatalf("bias grad[%d] after two backward passes %v, want %v", i, got, want)
		}
	}
	ZeroGrad(l.Params())
	if slices.ContainsFunc(l.Weight.Grad.Data, func(v float32) bool { return v != 0 }) {
		t.Error("ZeroGrad left a nonzero weight gradient")
	}
	if n := len(NewLinearNoBias(5, 3, NewRand(1)).Params()); n != 1 {
		t.Errorf("Linear without bias has %d params, want 1", n)
	}
}
