package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rankae/rankae/ae"
	"github.com/rankae/rankae/layers"
	"github.com/rankae/rankae/linalg"
)

const checkpointFile = "checkpoint.safetensors"

func trainCommand(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	model := fs.String("model", "arrae", "model: "+strings.Join(ae.Models, ", "))
	arch := fs.String("arch", "", "encoder/decoder pair: "+strings.Join(ae.Archs, ", ")+" (default: rrae-conv; irmae-shapes for shapes)")
	dataName := fs.String("data", "bumps", "dataset: "+strings.Join(datasets, ", "))
	dataDir := fs.String("data-dir", "", "folder of the IDX files (mnist; fashion-mnist defaults to Debian's)")
	nShapes := fs.Int("n", 10000, "training samples (shapes)")
	size := fs.Int("size", 32, "bump images are size×size (the paper: 64)")
	latent := fs.Int("L", 16, "latent size")
	k := fs.Int("k", 2, "bottleneck (rrae, diabolo)")
	l := fs.Int("l", 2, "IRMAE's extra linear layers")
	steps := fs.Int("steps", 2500, "training steps (forward passes), fine-tuning included")
	fineTune := fs.Int("finetune", 500, "RRAE decoder fine-tuning steps at the end")
	fineTuneLR := fs.Float64("finetune-lr", 1e-4, "RRAE fine-tuning learning rate (the reference code's; 0: -lr)")
	maxSteps := fs.Int("max-steps", 0, "aRRAE: an unfinished search runs past -steps until it settles and its loss stagnates (-patience steps), up to this many steps in all (0: stop at -steps)")
	batch := fs.Int("batch", 64, "batch size")
	lr := fs.Float64("lr", 1e-3, "learning rate")
	loss := fs.String("loss", "", "loss: mse, relative (mean over images of 100·‖x − x̂‖/‖x‖) or relative-batch (100·‖X − X̂‖/‖X‖ over the batch, the RRAE reference code's) (default: relative-batch for arrae, mse otherwise)")
	norm := fs.String("norm", "", "bumps: scale by meanstd or minmax (default: minmax for arrae, as the RRAE reference code's example; meanstd otherwise)")
	optimizer := fs.String("optimizer", "", "optimizer: adam (PyTorch's) or adabelief (optax's, the RRAE reference code's) (default: adabelief for arrae, adam otherwise)")
	seed := fs.Uint64("seed", 1, "seed of the initialisation, batch order and evaluation draws")
	out := fs.String("out", "out", "output folder")
	threads := fs.Int("threads", 0, "worker threads (0: GOMAXPROCS)")
	resume := fs.Bool("resume", false, "continue an interrupted run from the checkpoint in -out (same flags)")
	var aopt ae.AdaptiveOptions
	fs.IntVar(&aopt.Window, "window", 20, "aRRAE: moving-average window (steps)")
	fs.Float64Var(&aopt.StagnationTol, "stagnation", 0.05, "aRRAE: relative change under which a step is stagnant")
	fs.IntVar(&aopt.PatienceInit, "patience-init", 50, "aRRAE: stagnant steps before the first target is set")
	fs.Float64Var(&aopt.EndTol, "end-tol", 0.01, "aRRAE: relative change under which a step counts against a rank")
	fs.IntVar(&aopt.Patience, "patience", 500, "aRRAE: such steps before a rank is given up; once settled, stagnant steps before the search ends (with -max-steps)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *threads > 0 {
		linalg.SetThreads(*threads)
	}
	// aRRAE trains as the RRAE reference code's example does: its search
	// settles on the bumps' rank 2 with these settings, not with Adam on the
	// MSE of mean/std-scaled images (docs/results.md).
	defOpt, defLoss, defNorm := "adam", "mse", "meanstd"
	if *model == "arrae" {
		defOpt, defLoss, defNorm = "adabelief", "relative-batch", "minmax"
	}
	*optimizer, *loss, *norm = cmp.Or(*optimizer, defOpt), cmp.Or(*loss, defLoss), cmp.Or(*norm, defNorm)
	spec := dataSpec{Name: *dataName, Dir: *dataDir, N: *nShapes, Size: *size, Seed: *seed, Norm: *norm}
	d, err := loadData(spec)
	if err != nil {
		return err
	}
	if *arch == "" {
		*arch = "rrae-conv"
		if spec.Name == "shapes" {
			*arch = "irmae-shapes"
		}
	}
	prepare(d, *arch)
	cfg := ae.Config{Model: *model, Arch: *arch, InShape: [3]int{d.train.C, d.train.H, d.train.W},
		L: *latent, K: *k, IRMAE: *l, Seed: *seed}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Model == "rrae" && cfg.K > min(cfg.L, *batch) {
		return fmt.Errorf("k = %d is larger than min(L = %d, batch = %d)", cfg.K, cfg.L, *batch)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ckpt := filepath.Join(*out, checkpointFile)
	m, err := ae.New(cfg)
	if err != nil {
		return err
	}
	tc := ae.TrainConfig{Steps: *steps, Batch: *batch, Loss: *loss, Optimizer: *optimizer, Seed: *seed,
		Schedule: layers.NewSchedule(layers.Stage{Steps: *steps, LR: *lr})}
	if *resume {
		var meta map[string]string
		if m, cfg, meta, err = ae.Load(ckpt); err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		if tc.Start, err = strconv.Atoi(meta["step"]); err != nil {
			return fmt.Errorf("resume: %s has no step count", ckpt)
		}
		if planned, err := strconv.Atoi(meta["planned"]); err == nil && planned > tc.Steps {
			tc.Steps = planned // the run had extended an aRRAE search
		}
		tc.Resume = ckpt
		fmt.Fprintf(os.Stderr, "resuming from step %d of %s\n", tc.Start, ckpt)
	}
	if cfg.Model == "rrae" || cfg.Model == "arrae" {
		tc.FineTune, tc.FineTuneLR = *fineTune, *fineTuneLR
	}
	if cfg.Model == "arrae" {
		tc.Adaptive = &aopt
		tc.MaxSteps = *maxSteps
	} else if *maxSteps != 0 {
		return fmt.Errorf("-max-steps extends an aRRAE search; model %s has none", cfg.Model)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bar := progressbar.NewOptions(tc.Steps,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription("training"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish())
	tc.Progress = func(s ae.StepInfo) {
		desc := fmt.Sprintf("%s loss %.4g", s.Phase, s.Loss)
		if s.K > 0 {
			desc += fmt.Sprintf(" k %d", s.K)
		}
		bar.Describe(fmt.Sprintf("%s %4.0f img/s", desc, s.ImagesPerS))
		if int64(s.Steps) != bar.GetMax64() {
			bar.ChangeMax(s.Steps) // an aRRAE search ran on
		}
		bar.Set(s.Step) // from the resumed step on, not from 0
	}
	fmt.Fprintf(os.Stderr, "training %s (%s) on %s: %d steps of %d, L = %d, %s on %s loss, %d threads\n",
		cfg.Model, cfg.Arch, spec.Name, *steps, *batch, cfg.L, *optimizer, *loss, linalg.Threads())
	start := time.Now()
	res, trainErr := ae.Train(ctx, m, d.train, tc)
	bar.Finish()
	elapsed := time.Since(start)
	if res == nil {
		return trainErr
	}
	meta := map[string]string{"data": mustJSON(spec), "step": strconv.Itoa(res.Steps), "planned": strconv.Itoa(res.Planned),
		"norm_mean": fmt.Sprint(d.norm.Mean), "norm_std": fmt.Sprint(d.norm.Std)}
	switch {
	case errors.Is(trainErr, ae.ErrNonFinite):
		// Keep whatever good checkpoint there is; do not overwrite it.
		return fmt.Errorf("%w; the model was not saved", trainErr)
	case trainErr != nil && ctx.Err() != nil:
		if err := ae.Save(ckpt, m, cfg, res.Optimizer, meta); err != nil {
			return fmt.Errorf("%v; saving the checkpoint failed too: %w", trainErr, err)
		}
		fmt.Fprintf(os.Stderr, "interrupted after %d steps; checkpoint saved to %s\n", res.Steps, ckpt)
		return nil
	case trainErr != nil:
		return trainErr
	}
	if err := ae.Save(ckpt, m, cfg, res.Optimizer, meta); err != nil {
		return err
	}
	if r, ok := m.Latent.(*ae.RRAELatent); ok && cfg.Model == "arrae" {
		if res.KChosen >= 0 {
			fmt.Printf("aRRAE settled on k = %d at step %d\n", r.K, res.KChosen)
		} else {
			fmt.Printf("aRRAE had not settled when the fine-tuning began: k = %d, the last rank that reached the target (the starting rank if none did); more -steps or -max-steps let the search finish\n", r.K)
		}
	}
	met, err := evaluate(m, d, *seed, *out)
	if err != nil {
		return err
	}
	met.Steps, met.Resumed, met.Seconds = res.Steps, tc.Start, elapsed.Seconds()
	met.KChanges = res.Changes
	if res.KChosen >= 0 {
		met.KChosen = res.KChosen
	}
	met.ImagesPerS = float64((res.Steps-tc.Start)**batch) / elapsed.Seconds()
	if err := plotLogCurve(filepath.Join(*out, "loss.png"), "training loss", "step", *loss, nil, res.Losses); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(*out, "metrics.json"), met); err != nil {
		return err
	}
	printMetrics(os.Stdout, met, *out, checkpointFile, "loss.png")
	return nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
