package data_test

import (
	"fmt"
	"slices"

	"github.com/rankae/rankae/data"
)

// The Gaussian-bump workflow of rrae.txt §6.1: generate, normalise with the
// training set's statistics, walk seeded batches, and score an output with
// the paper's bump fit after mapping it back to the data's units.
func Example() {
	cfg := data.DefaultBumpConfig()
	train, test, err := data.GaussianBumps(cfg, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("train", train.Shape(), "test", test.Shape())

	norm := data.FitNormalizer(train.X)
	norm.Apply(train.X)
	norm.Apply(test.X)

	const batch = 64
	s := data.NewSampler(train.N, 42)
	buf := make([]float32, batch*train.SampleLen())
	for step := 0; step < 10; step++ {
		x := train.Gather(buf, s.Next(batch)) // 64×1×64×64, NCHW
		_ = x                                 // a training step on x
	}
	fmt.Println("epochs completed:", s.Epoch())

	// A "generated" image: here a test sample, as a model would output it
	// (normalised units). Invert the normalisation, then fit a bump.
	out := slices.Clone(test.Sample(0))
	norm.Invert(out)
	fit := data.FitBump(out, cfg)
	p := test.Param(0)
	fmt.Printf("centre found within 1e-3: %v; error below 0.01%%: %v\n",
		abs(fit.X0-float64(p[0])) < 1e-3 && abs(fit.Y0-float64(p[1])) < 1e-3, fit.Error < 0.01)
	// Output:
	// train [400 1 64 64] test [400 1 64 64]
	// epochs completed: 1
	// centre found within 1e-3: true; error below 0.01%: true
}

func abs(x float64) float64 { return max(x, -x) }

// Loading Fashion-MNIST from Debian's dataset-fashion-mnist and resizing it
// to IRMAE's 32×32.
func ExampleLoadMNIST() {
	train, test, err := data.LoadMNIST(data.FashionMNISTDir)
	if err != nil {
		fmt.Println(err) // names the expected files when they are missing
		return
	}
	train32 := data.Resize(train, 32, 32)
	fmt.Println(train32.Shape(), test.Shape(), train.Labels[:5])
}

// The IRMAE shapes: sample i of a seed is the same whatever the set's size.
func ExampleShapes() {
	d, err := data.Shapes(3, data.DefaultShapesConfig(), 7)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Shape(), d.NumParams)
	// Output:
	// [3 3 32 32] 7
}
