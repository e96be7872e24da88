package layers

import (
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
