package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rankae/rankae/data"
)

// datasets lists the -data choices.
var datasets = []string{"bumps", "shapes", "mnist", "fashion-mnist"}

// dataSpec says which data a run used; checkpoints store it so that eval
// and sample can rebuild the same sets.
type dataSpec struct {
	Name string `json:"name"`
	Dir  string `json:"dir,omitempty"`  // IDX files (mnist, fashion-mnist)
	N    int    `json:"n,omitempty"`    // training samples (shapes)
	Size int    `json:"size,omitempty"` // grid points per side (bumps; 0: the paper's 64)
	Seed uint64 `json:"seed,omitempty"` // test centres (bumps), samples (shapes)
	Norm string `json:"norm,omitempty"` // bumps: "minmax" or "meanstd" ("" too: checkpoints from before -norm)
}

// loaded is a training and a test set in the model's units, the map back to
// the data's units, and the bump setting when the data are bumps.
type loaded struct {
	train, test *data.Dataset
	norm        data.Normalizer
	bumps       *data.BumpConfig
}

func loadData(spec dataSpec) (*loaded, error) {
	if !slices.Contains(datasets, spec.Name) {
		return nil, fmt.Errorf("unknown dataset %q (valid: %s)", spec.Name, strings.Join(datasets, ", "))
	}
	out := &loaded{norm: data.Normalizer{Mean: 0, Std: 1}}
	var err error
	switch spec.Name {
	case "bumps":
		cfg := data.DefaultBumpConfig()
		if spec.Size > 0 {
			cfg.Size = spec.Size
		}
		out.bumps = &cfg
		out.train, out.test, err = data.GaussianBumps(cfg, spec.Seed)
		if err != nil {
			return nil, err
		}
		// The reference code scales the bumps by min and max in its aRRAE
		// example (main-adap-CNN.py), which keeps the background at 0;
		// mean and std (the earlier default here) otherwise.
		switch spec.Norm {
		case "minmax":
			out.norm = data.FitMinMax(out.train.X)
		case "", "meanstd":
			out.norm = data.FitNormalizer(out.train.X)
		default:
			return nil, fmt.Errorf("unknown normalisation %q (valid: meanstd, minmax)", spec.Norm)
		}
		out.norm.Apply(out.train.X)
		out.norm.Apply(out.test.X)
	case "shapes":
		n := spec.N
		if n <= 0 {
			n = 10000
		}
		cfg := data.DefaultShapesConfig()
		if out.train, err = data.Shapes(n, cfg, spec.Seed); err != nil {
			return nil, err
		}
		if out.test, err = data.Shapes(max(n/10, 1), cfg, spec.Seed+1); err != nil {
			return nil, err
		}
	case "mnist", "fashion-mnist":
		dir := spec.Dir
		if dir == "" && spec.Name == "fashion-mnist" {
			dir = data.FashionMNISTDir
		}
		if dir == "" {
			return nil, fmt.Errorf("mnist needs -data-dir, the folder holding train-images-idx3-ubyte[.gz] and the other three IDX files")
		}
		if out.train, out.test, err = data.LoadMNIST(dir); err != nil {
			if spec.Name == "fashion-mnist" && spec.Dir == "" {
				err = fmt.Errorf("%w (Debian: apt-get install dataset-fashion-mnist)", err)
			}
			return nil, err
		}
	}
	return out, nil
}

// prepare fits the data to an architecture: the IRMAE pairs take 32×32
// images (MNIST is resized, as the IRMAE paper does). Their images stay in
// [0, 1], as the reference code feeds them (ToTensor, no normalisation), even
// though the decoders end in Tanh: the background, most of every image, is
// then 0, Tanh's centre. Mapped to [−1, 1] instead, the background sits on
// Tanh's asymptote −1, and Adam drives the pre-activations to −∞ within a
// few hundred steps: Tanh saturates, its gradient vanishes and the network
// stays stuck on a constant black image (relative error 100 %).
func prepare(d *loaded, arch string) {
	if arch != "irmae-shapes" && arch != "irmae-mnist" {
		return
	}
	if d.train.H != 32 || d.train.W != 32 {
		d.train, d.test = data.Resize(d.train, 32, 32), data.Resize(d.test, 32, 32)
	}
}
