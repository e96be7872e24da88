package layers

import (
	"slices"
	"strings"
	"testing"
)

func TestFlattenReshapeShapes(t *testing.T) {
	x := NewTensor(2, 3, 4, 5)
	for i := range x.Data {
		x.Data[i] = float32(i)
	}
	f := NewFlatten()
	y := f.Forward(x)
	if !slices.Equal(y.Shape, []int{2, 60}) || &y.Data[0] != &x.Data[0] {
		t.Fatalf("Flatten: shape %v, shares storage %v", y.Shape, &y.Data[0] == &x.Data[0])
	}
	if dx := f.Backward(y); !dx.SameShape(x) {
		t.Errorf("Flatten.Backward: shape %v, want %v", dx.Shape, x.Shape)
	}
	r := NewReshape(5, 12)
	z := r.Forward(y)
	if !slices.Equal(z.Shape, []int{2, 5, 12}) || z.Data[59] != 59 {
		t.Fatalf("Reshape(5, 12): shape %v", z.Shape)
	}
	if dz := r.Backward(z); !dz.SameShape(y) {
		t.Errorf("Reshape.Backward: shape %v, want %v", dz.Shape, y.Shape)
	}
}

// expectPanic checks that f panics with a message containing want.
func expectPanic(t *testing.T, what, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s did not panic", what)
			return
		}
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Errorf("%s panicked with %q, want it to mention %q", what, r, want)
		}
	}()
	f()
}

func TestShapeMismatchPanics(t *testing.T) {
	rng := NewRand(1)
	expectPanic(t, "Linear on a wrong width", "Linear(4, 3).Forward: input shape [2 5], want [B 4]", func() {
		NewLinear(4, 3, rng).Forward(NewTensor(2, 5))
	})
	expectPanic(t, "Linear.Backward on a wrong shape", "gradient shape [2 4], want [2 3]", func() {
		l := NewLinear(4, 3, rng)
		l.Forward(NewTensor(2, 4))
		l.Backward(NewTensor(2, 4))
	})
	expectPanic(t, "Linear.Backward before Forward", "Backward before Forward", func() {
		NewLinear(4, 3, rng).Backward(NewTensor(2, 3))
	})
	expectPanic(t, "ReLU.Backward on a wrong shape", "ReLU.Backward: gradient shape [3], want the forward shape [2]", func() {
		a := NewReLU()
		a.Forward(NewTensor(2))
		a.Backward(NewTensor(3))
	})
	expectPanic(t, "Sigmoid.Backward before Forward", "Sigmoid.Backward before Forward", func() {
		NewSigmoid().Backward(NewTensor(3))
	})
	expectPanic(t, "Reshape of a wrong size", "Reshape[3 4].Forward: input shape [2 10]", func() {
		NewReshape(3, 4).Forward(NewTensor(2, 10))
	})
	expectPanic(t, "MSE of different shapes", "MSE.Forward: prediction shape [2 3] != target shape [3 2]", func() {
		NewMSE().Forward(NewTensor(2, 3), NewTensor(3, 2))
	})
	expectPanic(t, "loss Backward before Forward", "RelativeError.Backward before Forward", func() {
		NewRelativeError().Backward()
	})
}
