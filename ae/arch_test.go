package ae

import (
	"testing"

	"github.com/rankae/rankae/layers"
)

// TestArchitecturesRestoreTheInputShape builds every pair on the inputs it
// serves and checks the shapes through encoder and decoder.
func TestArchitecturesRestoreTheInputShape(t *testing.T) {
	for _, c := range []Config{
		{Model: "long", Arch: "rrae-conv", InShape: [3]int{1, 64, 64}, L: 16},
		{Model: "long", Arch: "rrae-conv", InShape: [3]int{1, 28, 28}, L: 16},
		{Model: "long", Arch: "rrae-conv", InShape: [3]int{3, 20, 37}, L: 8},
		{Model: "irmae", Arch: "irmae-shapes", InShape: [3]int{3, 32, 32}, L: 32, IRMAE: 2},
		{Model: "irmae", Arch: "irmae-mnist", InShape: [3]int{1, 32, 32}, L: 128, IRMAE: 2},
		{Model: "long", Arch: "mlp", InShape: [3]int{2, 5, 7}, L: 4},
	} {
		m, err := New(c)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		x := layers.NewTensor(2, c.InShape[0], c.InShape[1], c.InShape[2])
		z := m.Encode(x)
		if len(z.Shape) != 2 || z.Shape[0] != 2 || z.Shape[1] != c.L {
			t.Errorf("%s on %v: latent shape %v, want [2 %d]", c.Arch, c.InShape, z.Shape, c.L)
		}
		y := m.Forward(x)
		if want := []int{2, c.InShape[0], c.InShape[1], c.InShape[2]}; !y.SameShape(layers.NewTensor(want...)) {
			t.Errorf("%s on %v: output shape %v, want %v", c.Arch, c.InShape, y.Shape, want)
		}
	}
	if _, err := New(Config{Model: "long", Arch: "irmae-mnist", InShape: [3]int{1, 28, 28}, L: 8}); err == nil {
		t.Error("irmae-mnist accepted 28×28 images")
	}
}

// TestShapesPairIsTheReference: the shapes pair has the reference code's
// layers (facebookresearch/irmae Shape_Encoder/Shape_Decoder with code 32):
// its parameter count is PyTorch's for that model, 1 445 859, and the
// encoder ends in a Conv2D without ReLU (the latent may be negative).
func TestShapesPairIsTheReference(t *testing.T) {
	m, err := New(Config{Model: "long", Arch: "irmae-shapes", InShape: [3]int{3, 32, 32}, L: 32})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range m.Params() {
		n += p.Value.Len()
	}
	if n != 1445859 {
		t.Errorf("%d parameters, the reference model has 1445859", n)
	}
	enc := m.Encoder.(*layers.Sequential)
	if c, ok := enc.Layers[len(enc.Layers)-2].(*layers.Conv2D); !ok || c.KernelH != 2 || c.Stride != [2]int{1, 1} || c.Padding != [2]int{0, 0} {
		t.Errorf("the encoder ends in %v, want a 2×2 stride-1 Conv2D then Flatten", enc.Layers[len(enc.Layers)-2:])
	}
	dec := m.Decoder.(*layers.Sequential)
	if c, ok := dec.Layers[1].(*layers.ConvTranspose2D); !ok || c.KernelH != 2 || c.Stride != [2]int{1, 1} {
		t.Errorf("the decoder starts with %v, want a 2×2 stride-1 ConvTranspose2D", dec.Layers[1])
	}
}
