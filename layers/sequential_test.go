package layers

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSequentialParamNames(t *testing.T) {
	rng := NewRand(1)
	s := NewSequential(NewLinear(4, 8, rng), NewReLU(), NewLinearNoBias(8, 8, rng), NewSigmoid(), NewLinear(8, 2, rng))
	var names []string
	for _, p := range s.Params() {
		names = append(names, p.Name)
	}
	want := []string{"0.weight", "0.bias", "2.weight", "4.weight", "4.bias"}
	if !slices.Equal(names, want) {
		t.Errorf("Sequential params %v, want %v", names, want)
	}
	if s.Params()[0].Value != s.Layers[0].(*Linear).Weight.Value {
		t.Error("Sequential.Params does not share the layers' tensors")
	}
	nested := NewSequential(NewFlatten(), s)
	if got := PrefixParams("encoder", nested.Params())[2].Name; got != "encoder.1.2.weight" {
		t.Errorf("nested name %q, want encoder.1.2.weight", got)
	}
	if str := s.String(); !strings.Contains(str, "(2): Linear(in_features=8, out_features=8, bias=false)") {
		t.Errorf("String() = %s", str)
	}
}

// TestTrainingStepAllocatesNothing builds a small network, loss and
// optimizer and checks that a whole training step (forward, loss, backward,
// optimizer step) allocates nothing once the shapes have been seen.
func TestTrainingStepAllocatesNothing(t *testing.T) {
	rng := NewRand(42)
	const batch = 32
	cases := []struct {
		name string
		net  *Sequential
		in   []int
		loss Loss
		opt  func([]*Param) Optimizer
	}{
		{"Linear-ReLU-Linear-Sigmoid/MSE/Adam", NewSequential(
			NewLinear(64, 128, rng), NewReLU(), NewLinear(128, 64, rng), NewSigmoid(),
		), []int{batch, 64}, NewMSE(), func(ps []*Param) Optimizer { return NewAdam(ps, 1e-3) }},
		{"Reshape-Flatten-Tanh-Softplus/RelativeError/Adam-L2", NewSequential(
			NewFlatten(), NewLinear(48, 32, rng), NewTanh(), NewLinearNoBias(32, 32, rng),
			NewLeakyReLU(0.01), NewLinear(32, 48, rng), NewSoftplus(), NewReshape(3, 4, 4),
		), []int{batch, 3, 4, 4}, NewRelativeError(), func(ps []*Param) Optimizer {
			a := NewAdam(ps, 1e-3)
			a.WeightDecay = 1e-4
			return a
		}},
		{"Linear-Sigmoid/BCEWithLogits/SGD-Nesterov", NewSequential(
			NewLinear(64, 64, rng), NewSigmoid(), NewLinear(64, 64, rng),
		), []int{batch, 64}, NewBCEWithLogits(), func(ps []*Param) Optimizer {
			s := NewSGDMomentum(ps, 1e-2, 0.9, true)
			s.WeightDecay = 1e-4
			return s
		}},
		{"Linear-Sigmoid/BCE/AdamW", NewSequential(
			NewLinear(64, 64, rng), NewSigmoid(),
		), []int{batch, 64}, NewBCE(), func(ps []*Param) Optimizer { return NewAdamW(ps, 1e-3) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := randTensor(rng, 0, 1, c.in...)
			opt := c.opt(c.net.Params())
			sched := NewSchedule(Stage{Steps: 2, LR: 1e-3}, Stage{Steps: 2, LR: 1e-4})
			step := 0
			var first, last float32
			train := func() {
				sched.Apply(opt, step)
				opt.ZeroGrad()
				y := c.net.Forward(x)
				l := c.loss.Forward(y, x)
				c.net.Backward(c.loss.Backward())
				opt.Step()
				if step == 0 {
					first = l
				}
				last = l
				step++
			}
			train() // warm-up: the buffers take their shapes
			if allocs := testing.AllocsPerRun(20, train); allocs != 0 && !coreRaceEnabled {
				t.Errorf("a training step allocated %v times", allocs)
			}
			if math.IsNaN(float64(last)) || !(last < first) {
				t.Errorf("loss went from %v to %v in %d steps", first, last, step)
			}
		})
	}
}

// TestSequentialBatchInnerMatchesLayerByLayer runs a network of
// convolutions and activations as a Sequential, where the tensors between
// convolutions keep the batch innermost, and the same layers one call at a
// time, where every tensor is NCHW: the outputs and all gradients must be
// the same bits.
func TestSequentialBatchInnerMatchesLayerByLayer(t *testing.T) {
	build := func() []Layer {
		rng := NewRand(7)
		return []Layer{
			NewConv2D(2, 4, 3, 3, 2, 1, rng), NewReLU(),
			NewConv2D(4, 6, 3, 3, 1, 1, rng), NewLeakyReLU(0.1), NewTanh(),
			NewConvTranspose2D(6, 5, 3, 3, 2, 1, 1, rng), NewSigmoid(),
			NewConvTranspose2D(5, 3, 4, 4, 2, 1, 0, rng), NewSoftplus(),
			NewConvTranspose2D(3, 1, 3, 3, 1, 1, 0, rng), NewReLU(), // direct
			NewConv2D(1, 1, 5, 5, 1, 2, rng), // direct
			NewFlatten(),
		}
	}
	rng := NewRand(8)
	x := randTensor(rng, -1, 1, 5, 2, 9, 9)

	seq := NewSequential(build()...)
	y := seq.Forward(x)
	if !seq.Layers[0].(*Conv2D).y.batchInner || !seq.Layers[5].(*ConvTranspose2D).y.batchInner {
		t.Fatal("the Sequential kept its convolutions' outputs in NCHW: the test would not cover the batch-innermost path")
	}
	if !seq.Layers[7].(*ConvTranspose2D).y.batchInner || !seq.Layers[9].(*ConvTranspose2D).y.batchInner {
		t.Fatal("a convolution feeding a direct convolution gave its output in NCHW")
	}
	if seq.Layers[11].(*Conv2D).y.batchInner {
		t.Fatal("the convolution feeding Flatten gave its output with the batch innermost")
	}
	dy := randTensor(rng, -1, 1, y.Shape...)
	dx := seq.Backward(dy)

	plain := build()
	z := x
	for _, l := range plain {
		z = l.Forward(z)
	}
	dz := dy
	for i := len(plain) - 1; i >= 0; i-- {
		dz = plain[i].Backward(dz)
	}
	same := func(what string, a, b []float32) {
		t.Helper()
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("%s[%d]: %v in the Sequential, %v layer by layer", what, i, a[i], b[i])
			}
		}
	}
	same("output", y.Data, z.Data)
	same("input gradient", dx.Data, dz.Data)
	ps, qs := seq.Params(), NewSequential(plain...).Params()
	for i := range ps {
		same(ps[i].Name+" gradient", ps[i].Grad.Data, qs[i].Grad.Data)
	}
}
