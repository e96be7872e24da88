package ae

import (
	"errors"
	"math"
	"testing"

	"github.com/rankae/rankae/data"
	"github.com/rankae/rankae/layers"
)

func TestFoldIRMAEKeepsTheFunction(t *testing.T) {
	train, _ := smallBumps(t)
	m, err := New(Config{Model: "irmae", Arch: "mlp", InShape: [3]int{1, 16, 16}, L: 8, IRMAE: 3, Hidden: []int{32}, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	checkFoldKeepsTheFunction(t, m, layers.FromSlice(train.X[:4*256], 4, 1, 16, 16))
}

// TestFoldIRMAEIntoFinalConv: the shapes encoder (IRMAE Table 3) ends in a
// Conv2D with a 1×1 output, then Flatten; the maps fold into that Conv2D.
func TestFoldIRMAEIntoFinalConv(t *testing.T) {
	m, err := New(Config{Model: "irmae", Arch: "irmae-shapes", InShape: [3]int{3, 32, 32}, L: 32, IRMAE: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.Shapes(4, data.DefaultShapesConfig(), 3)
	if err != nil {
		t.Fatal(err)
	}
	checkFoldKeepsTheFunction(t, m, layers.FromSlice(ds.X, 4, 3, 32, 32))
}

func checkFoldKeepsTheFunction(t *testing.T, m *Model, x *layers.Tensor) {
	t.Helper()
	before := append([]float32(nil), m.Forward(x).Data...)
	codesBefore := append([]float32(nil), m.Latent.Forward(m.Encode(x)).Data...)
	if err := m.FoldIRMAE(); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Latent.(Identity); !ok {
		t.Fatalf("latent after folding is %T, want Identity", m.Latent)
	}
	after := m.Forward(x).Data
	codesAfter := m.Encode(x).Data
	var scale float64
	for _, v := range codesBefore {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for i := range codesBefore {
		if d := math.Abs(float64(codesAfter[i] - codesBefore[i])); d > 1e-5*(scale+math.Abs(float64(codesBefore[i]))) {
			t.Fatalf("latent %d: %v after folding, %v before", i, codesAfter[i], codesBefore[i])
		}
	}
	for i := range before {
		if d := math.Abs(float64(after[i] - before[i])); d > 1e-4*(1+math.Abs(float64(before[i]))) {
			t.Fatalf("output %d: %v after folding, %v before", i, after[i], before[i])
		}
	}
	if err := m.FoldIRMAE(); err == nil {
		t.Error("folding twice succeeded")
	}
}

// TestFoldIRMAEWithoutFinalLinear: an encoder that ends in a nonlinearity
// has no layer to fold into; folding reports ErrNotFoldable and leaves the
// model unchanged.
func TestFoldIRMAEWithoutFinalLinear(t *testing.T) {
	m, err := New(Config{Model: "irmae", Arch: "irmae-shapes", InShape: [3]int{3, 32, 32}, L: 32, IRMAE: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	enc := m.Encoder.(*layers.Sequential)
	n := len(enc.Layers)
	enc.Layers = append(enc.Layers[:n-1:n-1], layers.NewReLU(), enc.Layers[n-1]) // Conv, ReLU, Flatten
	err = m.FoldIRMAE()
	if !errors.Is(err, ErrNotFoldable) {
		t.Fatalf("FoldIRMAE = %v, want ErrNotFoldable", err)
	}
	if _, ok := m.Latent.(*IRMAELatent); !ok {
		t.Errorf("latent became %T, want the IRMAE maps kept", m.Latent)
	}
}
