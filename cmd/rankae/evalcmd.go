package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rankae/rankae/ae"
)

// openCheckpoint loads a checkpoint written by train and the data it was
// trained on.
func openCheckpoint(path string) (*ae.Model, *loaded, error) {
	m, cfg, meta, err := ae.Load(path)
	if err != nil {
		return nil, nil, err
	}
	var spec dataSpec
	if err := json.Unmarshal([]byte(meta["data"]), &spec); err != nil {
		return nil, nil, fmt.Errorf("%s: no data description in the metadata: %w", path, err)
	}
	// The data and their normalisation are rebuilt as train built them.
	d, err := loadData(spec)
	if err != nil {
		return nil, nil, err
	}
	prepare(d, cfg.Arch)
	return m, d, nil
}

func evalCommand(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	ckpt := fs.String("ckpt", filepath.Join("out", checkpointFile), "checkpoint written by rankae train")
	out := fs.String("out", "", "folder for metrics.json and the images (default: the checkpoint's)")
	seed := fs.Uint64("seed", 1, "seed of the interpolation pairs and samples")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Dir(*ckpt)
	}
	m, d, err := openCheckpoint(*ckpt)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	met, err := evaluate(m, d, *seed, *out)
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(*out, "metrics.json"), met); err != nil {
		return err
	}
	printMetrics(os.Stdout, met, *out)
	return nil
}

func sampleCommand(args []string) error {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	ckpt := fs.String("ckpt", filepath.Join("out", checkpointFile), "checkpoint written by rankae train")
	n := fs.Int("n", 64, "number of images")
	cols := fs.Int("cols", 8, "images per row")
	path := fs.String("o", "samples.png", "output PNG")
	seed := fs.Uint64("seed", 1, "seed of the draws")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("-n %d: need at least one image", *n)
	}
	m, d, err := openCheckpoint(*ckpt)
	if err != nil {
		return err
	}
	if m.Kind == "irmae" {
		if err := m.FoldIRMAE(); err != nil && !errors.Is(err, ae.ErrNotFoldable) {
			return err
		}
	}
	imgs, err := ae.Sample(m, d.train, d.norm, *n, *seed)
	if err != nil {
		return err
	}
	lo, hi := imageRange(d)
	if err := writeGrid(*path, imgs, *n, d.train.C, d.train.H, d.train.W, *cols, 2, lo, hi); err != nil {
		return err
	}
	fmt.Printf("%d samples written to %s\n", *n, *path)
	return nil
}
