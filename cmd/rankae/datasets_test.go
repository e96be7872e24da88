package main

import (
	"context"
	"math"
	"testing"

	"github.com/rankae/rankae/ae"
	"github.com/rankae/rankae/layers"
)

// TestPrepareKeepsIRMAEImagesInUnitRange: the IRMAE pairs get the images in
// [0, 1] with the identity normaliser, as the reference code feeds them, so
// that the black background is Tanh's centre, not its asymptote.
func TestPrepareKeepsIRMAEImagesInUnitRange(t *testing.T) {
	d, err := loadData(dataSpec{Name: "shapes", N: 64, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	prepare(d, "irmae-shapes")
	if d.norm.Mean != 0 || d.norm.Std != 1 {
		t.Errorf("normaliser %+v, want the identity", d.norm)
	}
	var zeros int
	for _, v := range d.train.X {
		if v < 0 || v > 1 {
			t.Fatalf("value %v outside [0, 1]", v)
		}
		if v == 0 {
			zeros++
		}
	}
	if frac := float64(zeros) / float64(len(d.train.X)); frac < 0.8 {
		t.Errorf("%.2f of the values are background (0), want most", frac)
	}
}

// TestShapesTrainingDoesNotSaturate trains Table 3's shapes IRMAE briefly at
// Table 4's learning rate on the prepared data. With the images mapped to
// [−1, 1], Adam drove the Tanh pre-activations below −20 within 100 steps and
// the model was stuck on a black image; on [0, 1] the outputs stay off the
// asymptotes.
func TestShapesTrainingDoesNotSaturate(t *testing.T) {
	d, err := loadData(dataSpec{Name: "shapes", N: 256, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	prepare(d, "irmae-shapes")
	m, err := ae.New(ae.Config{Model: "irmae", Arch: "irmae-shapes", InShape: [3]int{3, 32, 32}, L: 32, IRMAE: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	const steps = 100
	tc := ae.TrainConfig{Steps: steps, Batch: 8, Seed: 1, Schedule: layers.NewSchedule(layers.Stage{Steps: steps, LR: 1e-4})}
	if _, err := ae.Train(context.Background(), m, d.train, tc); err != nil {
		t.Fatal(err)
	}
	x := layers.FromSlice(d.test.X[:8*3*32*32], 8, 3, 32, 32)
	y := m.Forward(x)
	var sat int
	for _, v := range y.Data {
		if math.Abs(float64(v)) > 0.99 {
			sat++
		}
	}
	if frac := float64(sat) / float64(y.Len()); frac > 0.1 {
		t.Errorf("after %d steps %.2f of the Tanh outputs are saturated (|y| > 0.99)", steps, frac)
	}
}
