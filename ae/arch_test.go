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
