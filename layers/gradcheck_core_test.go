package layers

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Finite-difference checks of the layers' and losses' gradients. The scalar
// is L = Σ w·y for fixed random weights w (so every output element counts),
// summed in float64; each input and parameter element is moved by ±h and
// (L₊ − L₋)/2h compared with the analytic gradient.

// fdReporter is the part of testing.T the checks use, so that a test can
// check that they fail.
type fdReporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// fdRecorder is an fdReporter that counts errors.
type fdRecorder struct{ errors int }

func (r *fdRecorder) Helper()               {}
func (r *fdRecorder) Errorf(string, ...any) { r.errors++ }

// randTensor returns a tensor of the shape with entries in U(lo, hi).
func randTensor(rng *rand.Rand, lo, hi float64, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return t
}

// dot64 returns Σ a·b in float64.
func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// fdClose reports whether the numerical derivative num matches ana.
func fdClose(num, ana, tol float64) bool {
	return math.Abs(num-ana) <= tol*(1+math.Abs(ana))
}

// fdCheckLayer compares the gradients of l at x (input and every parameter)
// with central differences of step h, to relative tolerance tol.
func fdCheckLayer(t fdReporter, name string, l Layer, x *Tensor, h, tol float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	y := l.Forward(x)
	w := randTensor(rng, -1, 1, y.Shape...)
	ZeroGrad(l.Params())
	dx := l.Backward(w)
	// Copy the analytic gradients: a later Forward/Backward may reuse them.
	anaX := append([]float32(nil), dx.Data...)
	loss := func() float64 { return dot64(l.Forward(x).Data, w.Data) }
	check := func(what string, vals []float32, ana []float32) {
		t.Helper()
		bad := 0
		for i := range vals {
			v := vals[i]
			vals[i] = v + float32(h)
			up := loss()
			vals[i] = v - float32(h)
			down := loss()
			vals[i] = v
			// The step actually taken, in float32.
			step := float64(v+float32(h)) - float64(v-float32(h))
			num := (up - down) / step
			if !fdClose(num, float64(ana[i]), tol) {
				if bad < 5 {
					t.Errorf("%s: d/d%s[%d] = %.6g, finite difference %.6g", name, what, i, ana[i], num)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d entries of d/d%s wrong", name, bad, len(vals), what)
		}
	}
	check("x", x.Data, anaX)
	for _, p := range l.Params() {
		check(p.Name, p.Value.Data, append([]float32(nil), p.Grad.Data...))
	}
}

// fdCheckLoss compares loss's gradient at pred with central differences.
// The loss is a float32, so h must be large enough that its rounding
// (an ulp of L over 2h) stays under the tolerance.
func fdCheckLoss(t fdReporter, name string, loss Loss, pred, target *Tensor, h, tol float64) {
	t.Helper()
	loss.Forward(pred, target)
	ana := append([]float32(nil), loss.Backward().Data...)
	bad := 0
	for i := range pred.Data {
		v := pred.Data[i]
		pred.Data[i] = v + float32(h)
		up := float64(loss.Forward(pred, target))
		pred.Data[i] = v - float32(h)
		down := float64(loss.Forward(pred, target))
		pred.Data[i] = v
		num := (up - down) / (float64(v+float32(h)) - float64(v-float32(h)))
		if !fdClose(num, float64(ana[i]), tol) {
			if bad < 5 {
				t.Errorf("%s: dL/dpred[%d] = %.6g, finite difference %.6g", name, i, ana[i], num)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d entries wrong", name, bad, len(pred.Data))
	}
}

// awayFromZero moves entries of x with |x| < eps to ±eps, for layers with a
// kink at 0.
func awayFromZero(x *Tensor, eps float32) *Tensor {
	for i, v := range x.Data {
		if v >= 0 && v < eps {
			x.Data[i] = eps + v
		} else if v < 0 && v > -eps {
			x.Data[i] = -eps + v
		}
	}
	return x
}

func TestGradLayersFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const h, tol = 1e-2, 2e-3
	cases := []struct {
		name string
		l    Layer
		x    *Tensor
	}{
		{"Linear", NewLinear(7, 5, NewRand(1)), randTensor(rng, -1, 1, 3, 7)},
		{"LinearNoBias", NewLinearNoBias(6, 6, NewRand(2)), randTensor(rng, -1, 1, 4, 6)},
		{"ReLU", NewReLU(), awayFromZero(randTensor(rng, -2, 2, 2, 3, 4, 4), 0.05)},
		{"LeakyReLU", NewLeakyReLU(0.1), awayFromZero(randTensor(rng, -2, 2, 2, 3, 4, 4), 0.05)},
		{"Sigmoid", NewSigmoid(), randTensor(rng, -6, 6, 2, 3, 4, 4)},
		{"Tanh", NewTanh(), randTensor(rng, -3, 3, 2, 3, 4, 4)},
		{"Softplus", NewSoftplus(), randTensor(rng, -6, 6, 2, 3, 4, 4)},
		{"SoftplusBeta2", &Softplus{Beta: 2, Threshold: 5}, randTensor(rng, -3, 3, 2, 50)},
		{"Flatten", NewFlatten(), randTensor(rng, -1, 1, 2, 3, 2, 2)},
		{"Reshape", NewReshape(3, 2, 2), randTensor(rng, -1, 1, 2, 12)},
		{"Sequential", NewSequential(
			NewReshape(1, 4, 3), NewFlatten(),
			NewLinear(12, 8, NewRand(3)), NewTanh(),
			NewLinear(8, 8, NewRand(4)), NewSoftplus(),
			NewLinearNoBias(8, 4, NewRand(5)), NewSigmoid(),
		), randTensor(rng, -1, 1, 3, 12)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { fdCheckLayer(t, c.name, c.l, c.x, h, tol) })
	}
}

func TestGradLossesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	target := randTensor(rng, -1, 1, 3, 2, 4)
	prob := randTensor(rng, 0, 1, 3, 8)
	zeroSample := randTensor(rng, -1, 1, 3, 5)
	clear(zeroSample.Data[5:10])
	cases := []struct {
		name         string
		loss         Loss
		pred, target *Tensor
		h            float64
	}{
		{"MSE", NewMSE(), randTensor(rng, -1, 1, 3, 2, 4), target, 1e-2},
		{"BCEWithLogits", NewBCEWithLogits(), randTensor(rng, -5, 5, 3, 8), prob, 1e-2},
		{"BCE", NewBCE(), randTensor(rng, 0.1, 0.9, 3, 8), prob, 1e-3},
		{"RelativeError", NewRelativeError(), randTensor(rng, -1, 1, 3, 2, 4), target, 1e-2},
		{"RelativeErrorBatch", &RelativeError{Batch: true}, randTensor(rng, -1, 1, 3, 2, 4), target, 1e-2},
		{"RelativeErrorZeroTarget", NewRelativeError(), randTensor(rng, -1, 1, 3, 5), zeroSample, 1e-2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { fdCheckLoss(t, c.name, c.loss, c.pred, c.target, c.h, 2e-3) })
	}
}

// fdCheckLayer must be able to fail: a layer with a wrong gradient.
type wrongGrad struct{ Tanh }

func (w *wrongGrad) Backward(dy *Tensor) *Tensor {
	dx := w.Tanh.Backward(dy)
	dx.Data[0] *= 1.1
	return dx
}

func TestGradCheckDetectsError(t *testing.T) {
	var r fdRecorder
	fdCheckLayer(&r, "wrong", &wrongGrad{}, randTensor(rand.New(rand.NewPCG(9, 9)), -1, 1, 2, 3), 1e-2, 2e-3)
	if r.errors == 0 {
		t.Error("a gradient 10% off passed the finite-difference check")
	}
}
