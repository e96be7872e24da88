package layers

import (
	"math"
	"testing"

	"github.com/rankae/rankae/linalg"
)

// The large-tensor path splits the work over goroutines; it must give
// exactly the element-wise results of the small path.
func TestActivationsParallelMatchSerial(t *testing.T) {
	defer linalg.SetThreads(linalg.SetThreads(4))
	rng := NewRand(5)
	n := 5*elementGrain + 123
	x := randTensor(rng, -30, 30, n)
	dy := randTensor(rng, -1, 1, n)
	for _, l := range []Layer{NewSigmoid(), NewTanh(), NewSoftplus(), NewLeakyReLU(0.2)} {
		y := l.Forward(x)
		dx := l.Backward(dy)
		for _, i := range []int{0, elementGrain - 1, elementGrain, 3*elementGrain + 7, n - 1} {
			small := NewTensor(1)
			small.Data[0] = x.Data[i]
			var one Layer
			switch l.(type) {
			case *Sigmoid:
				one = NewSigmoid()
			case *Tanh:
				one = NewTanh()
			case *Softplus:
				one = NewSoftplus()
			case *LeakyReLU:
				one = NewLeakyReLU(0.2)
			}
			ys := one.Forward(small).Data[0]
			g := NewTensor(1)
			g.Data[0] = dy.Data[i]
			dxs := one.Backward(g).Data[0]
			if y.Data[i] != ys || dx.Data[i] != dxs {
				t.Errorf("%v at element %d (x = %v): parallel y %v dx %v, alone y %v dx %v", l, i, x.Data[i], y.Data[i], dx.Data[i], ys, dxs)
			}
		}
	}
}

// tanh64 against math.Tanh over the float32 range that matters, including
// the small arguments where 1 − 2/(e^(2x)+1) alone would cancel.
func TestTanh64(t *testing.T) {
	for _, x := range []float64{0, 1e-30, 1e-10, 3e-4, 0x1p-12, 0.01, 0.3, 0.55, 1, 2.5, 9, 9.1, 19.9, 20.1, 100, math.Inf(1)} {
		for _, v := range []float64{x, -x} {
			got, want := float32(tanh64(v)), float32(math.Tanh(v))
			if got != want && math.Abs(float64(got-want)) > 1e-7*math.Abs(float64(want)) {
				t.Errorf("tanh64(%g) = %v, math.Tanh %v", v, got, want)
			}
		}
	}
}
