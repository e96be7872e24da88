package layers

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/rankae/rankae/kernels"
	"github.com/rankae/rankae/linalg"
)

func TestOptimizerStateNamesAndReset(t *testing.T) {
	ps := NewSequential(NewLinear(3, 2, NewRand(1))).Params()
	for i := range ps {
		for j := range ps[i].Grad.Data {
			ps[i].Grad.Data[j] = 0.5
		}
	}
	adam := NewAdam(ps, 1e-2)
	adam.Step()
	var names []string
	for _, s := range adam.State() {
		names = append(names, s.Name)
	}
	want := []string{"0.weight.exp_avg", "0.weight.exp_avg_sq", "0.bias.exp_avg", "0.bias.exp_avg_sq"}
	if !slices.Equal(names, want) {
		t.Errorf("Adam state %v, want %v", names, want)
	}
	st := adam.State()
	if m := st[0].Value.Data[0]; m < 0.0499999 || m > 0.0500001 || adam.Steps() != 1 {
		t.Errorf("after one step: exp_avg %v, steps %d; want 0.05, 1", st[0].Value.Data[0], adam.Steps())
	}
	adam.Reset()
	if st[0].Value.Data[0] != 0 || st[1].Value.Data[0] != 0 || adam.Steps() != 0 {
		t.Error("Adam.Reset left state behind")
	}
	sgd := NewSGDMomentum(ps, 0.1, 0.9, false)
	sgd.Step()
	if s := sgd.State(); len(s) != 2 || s[1].Name != "0.bias.momentum_buffer" || s[1].Value.Data[0] != 0.5 {
		t.Errorf("SGD state: %d tensors, %q = %v", len(s), s[1].Name, s[1].Value.Data)
	}
}

// A restored optimizer continues exactly where the saved one was.
func TestOptimizerRestoreContinues(t *testing.T) {
	mk := func() []*Param { return NewLinear(4, 3, NewRand(2)).Params() }
	grad := func(ps []*Param, k int) {
		for _, p := range ps {
			for j := range p.Grad.Data {
				p.Grad.Data[j] = float32((j*7+k*3)%5) - 2
			}
		}
	}
	a, b := mk(), mk()
	oa := NewAdam(a, 1e-2)
	for k := 0; k < 3; k++ {
		grad(a, k)
		oa.Step()
	}
	// Restore b from a: parameters, moments, step count.
	for i := range b {
		copy(b[i].Value.Data, a[i].Value.Data)
	}
	ob := NewAdam(b, 1e-2)
	for i, s := range ob.State() {
		copy(s.Value.Data, oa.State()[i].Value.Data)
	}
	ob.SetSteps(oa.Steps())
	grad(a, 3)
	grad(b, 3)
	oa.Step()
	ob.Step()
	for i := range a {
		if !slices.Equal(a[i].Value.Data, b[i].Value.Data) {
			t.Errorf("%s differs after restoring", a[i].Name)
		}
	}
}

// Adam over parameters large and small, which its ranges over the
// parameters end to end split and straddle, gives exactly the single-pass
// kernel result on each parameter, in each of its three forms; ZeroGrad
// clears every gradient.
func TestAdamParallelMatchesKernel(t *testing.T) {
	defer linalg.SetThreads(linalg.SetThreads(4))
	sizes := []int{5, 4*elementGrain + 77, 1000, 2*elementGrain + 3, 1}
	for _, form := range []string{"adam", "adam-l2", "adamw"} {
		rng := NewRand(3)
		var ps []*Param
		var wants [][]float32
		for i, n := range sizes {
			p := NewParam(fmt.Sprint("w", i), n)
			copy(p.Value.Data, randTensor(rng, -1, 1, n).Data)
			copy(p.Grad.Data, randTensor(rng, -1, 1, n).Data)
			want := append([]float32(nil), p.Value.Data...)
			g := append([]float32(nil), p.Grad.Data...)
			switch form {
			case "adam-l2":
				kernels.Axpy(0.1, want, g)
			case "adamw":
				kernels.Scal(float32(1-1e-2*0.1), want)
			}
			m, v := make([]float32, n), make([]float32, n)
			kernels.Adam(want, g, m, v, kernels.NewAdamStep(1e-2, 0.9, 0.999, 1e-8, 1))
			ps, wants = append(ps, p), append(wants, want)
		}
		opt := NewAdam(ps, 1e-2)
		switch form {
		case "adam-l2":
			opt.WeightDecay = 0.1
		case "adamw":
			opt.WeightDecay, opt.Decoupled = 0.1, true
		}
		opt.Step()
		for i, p := range ps {
			if !slices.Equal(p.Value.Data, wants[i]) {
				t.Errorf("%s: parameter %d (%d values): the parallel step differs from the kernel on the whole parameter", form, i, sizes[i])
			}
		}
		opt.ZeroGrad()
		for i, p := range ps {
			if slices.ContainsFunc(p.Grad.Data, func(g float32) bool { return g != 0 }) {
				t.Errorf("%s: ZeroGrad left parameter %d's gradient non-zero", form, i)
			}
		}
	}
}

// SGD split over four threads, in ranges that straddle its parameters,
// gives bit for bit what one thread gives, at the first step (which fills
// the momentum buffers) and after; ZeroGrad clears every gradient.
func TestSGDParallelMatchesOneThread(t *testing.T) {
	sizes := []int{5, 4*elementGrain + 77, 1000, 2*elementGrain + 3, 1}
	build := func() []*Param {
		rng := NewRand(3)
		var ps []*Param
		for i, n := range sizes {
			p := NewParam(fmt.Sprint("w", i), n)
			copy(p.Value.Data, randTensor(rng, -1, 1, n).Data)
			copy(p.Grad.Data, randTensor(rng, -1, 1, n).Data)
			ps = append(ps, p)
		}
		return ps
	}
	forms := map[string]func(ps []*Param) *SGD{
		"plain":    func(ps []*Param) *SGD { return NewSGD(ps, 0.1) },
		"momentum": func(ps []*Param) *SGD { return NewSGDMomentum(ps, 0.1, 0.9, false) },
		"nesterov+decay": func(ps []*Param) *SGD {
			s := NewSGDMomentum(ps, 0.1, 0.9, true)
			s.WeightDecay = 0.01
			return s
		},
	}
	for form, newSGD := range forms {
		var runs [2][]*Param
		for j, threads := range []int{1, 4} {
			prev := linalg.SetThreads(threads)
			runs[j] = build()
			opt := newSGD(runs[j])
			opt.Step()
			opt.Step()
			linalg.SetThreads(prev)
		}
		for i := range sizes {
			if !slices.Equal(runs[0][i].Value.Data, runs[1][i].Value.Data) {
				t.Errorf("%s: parameter %d (%d values): four threads differ from one", form, i, sizes[i])
			}
		}
		prev := linalg.SetThreads(4)
		NewSGD(runs[1], 0.1).ZeroGrad()
		linalg.SetThreads(prev)
		for i, p := range runs[1] {
			if slices.ContainsFunc(p.Grad.Data, func(g float32) bool { return g != 0 }) {
				t.Errorf("%s: ZeroGrad left parameter %d's gradient non-zero", form, i)
			}
		}
	}
}

// AdaBelief follows optax's scale_by_belief over several steps: a float64
// reference of its formulas, with v on the deviation of g from the old m.
func TestAdaBeliefMatchesOptaxFormula(t *testing.T) {
	const n, steps, lr = 37, 6, 1e-2
	rng := NewRand(5)
	p := NewParam("w", n)
	copy(p.Value.Data, randTensor(rng, -1, 1, n).Data)
	opt := NewAdaBelief([]*Param{p}, lr)
	if st := opt.State(); st[1].Name != "w.exp_avg_var" {
		t.Errorf("AdaBelief state %q, want w.exp_avg_var", st[1].Name)
	}
	w := make([]float64, n)
	for i, x := range p.Value.Data {
		w[i] = float64(x)
	}
	m, v := make([]float64, n), make([]float64, n)
	for k := 1; k <= steps; k++ {
		g := randTensor(rng, -1, 1, n)
		copy(p.Grad.Data, g.Data)
		opt.Step()
		for i := range w {
			gi := float64(g.Data[i])
			d := gi - m[i]
			m[i] = 0.9*m[i] + 0.1*gi
			v[i] = 0.999*v[i] + 0.001*d*d + 1e-16
			mHat, vHat := m[i]/(1-math.Pow(0.9, float64(k))), v[i]/(1-math.Pow(0.999, float64(k)))
			w[i] -= lr * mHat / (math.Sqrt(vHat) + 1e-16)
		}
	}
	for i, x := range p.Value.Data {
		if math.Abs(float64(x)-w[i]) > 1e-5*(1+math.Abs(w[i])) {
			t.Fatalf("w[%d] = %v after %d steps, want %v", i, x, steps, w[i])
		}
	}
}
