package layers

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// Agreement with PyTorch on small cases, from testdata/core.json, which
// testdata/gen_core.py generated with Debian's python3-torch.

// torchTol is the relative tolerance of the agreement with PyTorch.
const torchTol = 1e-5

type torchTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (tt torchTensor) tensor() *Tensor {
	t := NewTensor(tt.Shape...)
	for i, v := range tt.Data {
		t.Data[i] = float32(v)
	}
	return t
}

type torchCase map[string]json.RawMessage

func (c torchCase) tensor(t *testing.T, key string) *Tensor {
	t.Helper()
	var tt torchTensor
	if err := json.Unmarshal(c[key], &tt); err != nil {
		t.Fatalf("core.json: %s: %v", key, err)
	}
	return tt.tensor()
}

func (c torchCase) number(t *testing.T, key string) float64 {
	t.Helper()
	var v float64
	if err := json.Unmarshal(c[key], &v); err != nil {
		t.Fatalf("core.json: %s: %v", key, err)
	}
	return v
}

func loadTorchCases(t *testing.T) map[string]torchCase {
	t.Helper()
	b, err := os.ReadFile("testdata/core.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]torchCase{}
	for k, v := range raw {
		if k == "torch_version" {
			continue
		}
		var c torchCase
		if err := json.Unmarshal(v, &c); err != nil {
			t.Fatalf("core.json: %s: %v", k, err)
		}
		out[k] = c
	}
	if len(out) == 0 {
		t.Fatal("core.json holds no cases")
	}
	return out
}

// expectClose checks that got matches PyTorch's want to torchTol,
// relative to the largest |want| of the tensor (so that a difference of
// rounding near a zero entry does not count as large).
func expectClose(t *testing.T, what string, got []float32, want *Tensor) {
	t.Helper()
	expectCloseTol(t, what, got, want, torchTol, nil)
}

// expectCloseTol is expectClose with relative tolerance tol and, when floor
// is not nil, an absolute tolerance floor[i] for entry i on top.
func expectCloseTol(t *testing.T, what string, got []float32, want *Tensor, tol float64, floor []float64) {
	t.Helper()
	if len(got) != len(want.Data) {
		t.Fatalf("%s: %d values, PyTorch has %d", what, len(got), len(want.Data))
	}
	scale := 0.0
	for _, w := range want.Data {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	bad := 0
	for i := range got {
		g, w := float64(got[i]), float64(want.Data[i])
		limit := tol * math.Max(math.Abs(w), 1e-3*scale)
		if floor != nil {
			limit += floor[i]
		}
		if math.Abs(g-w) > limit || math.IsNaN(g) != math.IsNaN(w) {
			if bad < 5 {
				t.Errorf("%s[%d] = %.9g, PyTorch %.9g", what, i, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ from PyTorch", what, bad, len(got))
	}
}

func TestTorchLinear(t *testing.T) {
	cases := loadTorchCases(t)
	for _, name := range []string{"linear", "linear_nobias"} {
		c := cases[name]
		w := c.tensor(t, "weight")
		var l *Linear
		if _, ok := c["bias"]; ok {
			l = newLinear(w.Dim(1), w.Dim(0), true)
			copy(l.Bias.Value.Data, c.tensor(t, "bias").Data)
		} else {
			l = newLinear(w.Dim(1), w.Dim(0), false)
		}
		copy(l.Weight.Value.Data, w.Data)
		expectClose(t, name+" y", l.Forward(c.tensor(t, "x")).Data, c.tensor(t, "y"))
		expectClose(t, name+" dx", l.Backward(c.tensor(t, "dy")).Data, c.tensor(t, "dx"))
		expectClose(t, name+" dweight", l.Weight.Grad.Data, c.tensor(t, "dweight"))
		if l.Bias != nil {
			expectClose(t, name+" dbias", l.Bias.Grad.Data, c.tensor(t, "dbias"))
		}
	}
}

func TestTorchActivations(t *testing.T) {
	cases := loadTorchCases(t)
	acts := map[string]Layer{
		"relu":            NewReLU(),
		"leaky_relu_0.01": NewLeakyReLU(0.01),
		"leaky_relu_0.2":  NewLeakyReLU(0.2),
		"sigmoid":         NewSigmoid(),
		"tanh":            NewTanh(),
		"softplus":        NewSoftplus(),
		"softplus_b2_t5":  &Softplus{Beta: 2, Threshold: 5},
	}
	for name, a := range acts {
		c, ok := cases["act_"+name]
		if !ok {
			t.Fatalf("core.json has no case act_%s", name)
		}
		expectClose(t, name+" y", a.Forward(c.tensor(t, "x")).Data, c.tensor(t, "y"))
		dy := c.tensor(t, "dy")
		var floor []float64
		if name == "sigmoid" || name == "tanh" {
			// Both compute dx from their float32 output y, as PyTorch
			// does: where y saturates, 1 − y (or 1 − y²) keeps only the
			// few bits that y's last-place rounding leaves, and a
			// difference of one or two ulps in y (ours is y rounded
			// from float64, PyTorch's a float32 evaluation) shows as
			// up to 2⁻²¹·|dy| in dx. Allow that much beside 1e-5.
			floor = make([]float64, len(dy.Data))
			for i, v := range dy.Data {
				floor[i] = math.Ldexp(math.Abs(float64(v)), -21)
			}
		}
		expectCloseTol(t, name+" dx", a.Backward(dy).Data, c.tensor(t, "dx"), torchTol, floor)
	}
}

func TestTorchLosses(t *testing.T) {
	cases := loadTorchCases(t)
	losses := map[string]Loss{
		"mse":          NewMSE(),
		"bce_logits":   NewBCEWithLogits(),
		"bce":          NewBCE(),
		"relerr":       NewRelativeError(),
		"relerr_batch": &RelativeError{Batch: true},
	}
	for name, l := range losses {
		c, ok := cases["loss_"+name]
		if !ok {
			t.Fatalf("core.json has no case loss_%s", name)
		}
		got := l.Forward(c.tensor(t, "pred"), c.tensor(t, "target"))
		if want := c.number(t, "loss"); math.Abs(float64(got)-want) > torchTol*math.Abs(want) {
			t.Errorf("%s loss = %.9g, PyTorch %.9g", name, got, want)
		}
		expectClose(t, name+" grad", l.Backward().Data, c.tensor(t, "grad"))
	}
}

func TestTorchOptimizers(t *testing.T) {
	cases := loadTorchCases(t)
	makers := map[string]func([]*Param) Optimizer{
		"adam": func(ps []*Param) Optimizer { return NewAdam(ps, 1e-2) },
		"adam_wd": func(ps []*Param) Optimizer {
			a := NewAdam(ps, 1e-2)
			a.Beta1, a.Beta2, a.Eps, a.WeightDecay = 0.8, 0.99, 1e-6, 0.1
			return a
		},
		"adamw": func(ps []*Param) Optimizer {
			a := NewAdamW(ps, 1e-2)
			a.WeightDecay = 0.05
			return a
		},
		"sgd":          func(ps []*Param) Optimizer { return NewSGD(ps, 0.1) },
		"sgd_momentum": func(ps []*Param) Optimizer { return NewSGDMomentum(ps, 0.1, 0.9, false) },
		"sgd_nesterov_wd": func(ps []*Param) Optimizer {
			s := NewSGDMomentum(ps, 0.05, 0.8, true)
			s.WeightDecay = 0.01
			return s
		},
	}
	for name, mk := range makers {
		c, ok := cases["opt_"+name]
		if !ok {
			t.Fatalf("core.json has no case opt_%s", name)
		}
		var init []torchTensor
		var grads, after [][]torchTensor
		var state map[string]torchTensor
		for key, dst := range map[string]any{"init": &init, "grads": &grads, "after": &after, "state": &state} {
			if err := json.Unmarshal(c[key], dst); err != nil {
				t.Fatalf("opt_%s.%s: %v", name, key, err)
			}
		}
		params := []*Param{
			{Name: "p0", Value: init[0].tensor(), Grad: NewTensor(init[0].Shape...)},
			{Name: "p1", Value: init[1].tensor(), Grad: NewTensor(init[1].Shape...)},
		}
		opt := mk(params)
		for step := range grads {
			for i, p := range params {
				copy(p.Grad.Data, grads[step][i].tensor().Data)
			}
			opt.Step()
			for i, p := range params {
				expectClose(t, name+" step "+string(rune('1'+step))+" "+p.Name, p.Value.Data, after[step][i].tensor())
			}
		}
		if opt.Steps() != len(grads) {
			t.Errorf("%s: Steps() = %d after %d steps", name, opt.Steps(), len(grads))
		}
		ours := map[string]*Tensor{}
		for _, s := range opt.State() {
			ours[s.Name] = s.Value
		}
		for key, want := range state {
			got, ok := ours[key]
			if !ok {
				t.Errorf("%s: no state tensor %q (have %d)", name, key, len(ours))
				continue
			}
			expectCloseTol(t, name+" state "+key, got.Data, want.tensor(), torchTol, nil)
		}
		if strings.HasPrefix(name, "adam") && len(state) != 4 {
			t.Errorf("%s: PyTorch state has %d tensors, want 4", name, len(state))
		}
	}
}
