package ae

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/rankae/rankae/data"
	"github.com/rankae/rankae/layers"
	"github.com/rankae/rankae/linalg"
)

// TrainConfig says how to train a model. Steps counts forward passes, as the
// papers do; for RRAE the last FineTune of them train the decoder alone on
// the projection onto the final basis (rrae.txt Appendix C: "2500 (500)").
type TrainConfig struct {
	Steps    int
	Batch    int
	Schedule layers.Schedule // learning rate per step; see layers.NewSchedule
	Loss     string          // "mse" (default), "relative" (mean of 100·‖x − x̂‖/‖x‖) or "relative-batch" (100·‖X − X̂‖_F/‖X‖_F, the reference code's)
	Seed     uint64          // batch order
	// Optimizer is "adam" (default: PyTorch's Adam) or "adabelief" (optax's
	// AdaBelief, the RRAE reference code's default; rankae train uses it,
	// with the "relative-batch" loss, for aRRAE, whose search settles on
	// the bumps' rank with them and not with Adam on MSE).
	Optimizer string

	FineTune int              // RRAE only: decoder fine-tuning steps at the end
	Adaptive *AdaptiveOptions // RRAE only: search the rank (aRRAE)
	// FineTuneLR, when positive, is the fine-tuning's learning rate (RRAE
	// only; the reference code fine-tunes at 1e-4 after training at 1e-3);
	// 0 keeps the schedule's.
	FineTuneLR float64

	// MaxSteps lets an aRRAE search that has not closed when the
	// fine-tuning is due run on until it does: until it settles and then
	// its loss has stayed within StagnationTol of the moving average for
	// Patience steps (the reference tracker's end of training; see
	// AdaptiveRank.Closed); never beyond MaxSteps steps in all. At most
	// Steps (0 included): no extension, the search stops where it is.
	MaxSteps int

	// Start is the number of steps already done, when resuming: training
	// runs steps Start..Steps−1 (the batch order starts afresh). Resume,
	// when set, is the checkpoint whose optimizer state is restored (Save
	// wrote it with the optimizer); an aRRAE search restarts at the
	// model's current k.
	Start  int
	Resume string

	// Progress, when set, is called after every step.
	Progress func(StepInfo)
}

// StepInfo describes one finished training step.
type StepInfo struct {
	Step, Steps int // steps done (counting a resumed run's earlier ones), of Steps
	Loss        float64
	LR          float64 // the step's learning rate
	K           int     // current bottleneck (RRAE), 0 otherwise
	ImagesPerS  float64 // over the run so far
	Phase       string  // "train", "fine-tune"
}

// TrainResult summarises a run.
type TrainResult struct {
	Losses  []float64    // batch loss per step
	K       int          // final bottleneck (RRAE), 0 otherwise
	KChosen int          // step at which aRRAE settled, −1 if it did not
	Changes []RankChange // aRRAE's rank changes
	Steps   int          // the step count reached (Start + steps run)
	// Planned is the step count training was heading for: Steps, or more
	// when an unsettled aRRAE search ran on (see MaxSteps). A run resumed
	// inside such a fine-tuning passes it as TrainConfig.Steps.
	Planned int

	// Optimizer is the optimizer in use at the end, for checkpoints.
	Optimizer layers.Optimizer
}

// ErrNonFinite is returned (wrapped) when the loss becomes NaN or Inf.
var ErrNonFinite = errors.New("loss is not finite")

// Train trains m on ds. It stops early, with the result so far and an
// error, when the loss becomes NaN or Inf (before applying that step, so
// the caller can tell a diverged run from its last good checkpoint) or when
// ctx is cancelled (the caller saves a checkpoint then).
func Train(ctx context.Context, m *Model, ds *data.Dataset, cfg TrainConfig) (*TrainResult, error) {
	if err := checkTrainConfig(m, ds, cfg); err != nil {
		return nil, err
	}
	rrae, _ := m.Latent.(*RRAELatent)
	var search *AdaptiveRank
	if cfg.Adaptive != nil {
		kStart := min(m.LatentDim, cfg.Batch)
		if cfg.Start > 0 {
			kStart = min(rrae.K, kStart)
		}
		search = NewAdaptiveRank(kStart, *cfg.Adaptive)
		rrae.K = search.K()
	}
	loss := newLoss(cfg.Loss)
	mainSteps := cfg.Steps
	if rrae != nil {
		mainSteps -= cfg.FineTune
	}
	total := cfg.Steps // grows when an unsettled search runs on

	res := &TrainResult{KChosen: -1}
	sampler := data.NewSampler(ds.N, cfg.Seed)
	c, h, w := ds.C, ds.H, ds.W
	x := layers.NewTensor(cfg.Batch, c, h, w)
	phase := "train"
	if rrae != nil && cfg.Start >= mainSteps && rrae.Basis != nil {
		phase = "fine-tune" // resumed inside the fine-tuning, or after it with more steps
		m.FreezeEncoder = true
	}
	opt := newOptimizer(cfg.Optimizer, m.TrainableParams(), cfg.Schedule.LR(cfg.Start))
	res.Optimizer = opt
	if cfg.Resume != "" && phase == "train" {
		if err := LoadOptimizer(cfg.Resume, m, opt); err != nil {
			return nil, err
		}
	}
	var saved savedParams // aRRAE's copy of the last rank that reached the target
	start := time.Now()
	res.Steps, res.Planned = cfg.Start, total

	for step := cfg.Start; step < total; step++ {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("training stopped at step %d: %w", step, err)
		}
		if search != nil && phase == "train" && step >= mainSteps && !search.Closed() && step+cfg.FineTune < cfg.MaxSteps {
			mainSteps, total = step+1, step+1+cfg.FineTune // search (or its closing phase) on
		}
		if rrae != nil && phase == "train" && step >= mainSteps {
			if search != nil {
				if search.Stop() == Restore {
					saved.load(m.Params())
				}
				rrae.K, res.K = search.K(), search.K()
			}
			if err := setFinalBasis(m, rrae, ds, cfg.Batch); err != nil {
				return res, err
			}
			m.FreezeEncoder = true
			opt = newOptimizer(cfg.Optimizer, m.TrainableParams(), cfg.Schedule.LR(step))
			res.Optimizer = opt
			phase = "fine-tune"
		}
		lr := cfg.Schedule.LR(step)
		if phase == "fine-tune" && cfg.FineTuneLR > 0 {
			lr = cfg.FineTuneLR
		}
		opt.SetLR(lr)
		ds.Gather(x.Data, sampler.Next(cfg.Batch))
		var l float64
		err := catchSVD(func() {
			y := m.Forward(x)
			l = float64(loss.Forward(y, x))
			if isFinite(l) {
				m.Backward(loss.Backward())
			}
		})
		if err == nil && !isFinite(l) {
			err = fmt.Errorf("%w (%v) at step %d", ErrNonFinite, l, step)
		}
		if err != nil {
			opt.ZeroGrad()
			return res, err
		}
		opt.Step()
		opt.ZeroGrad()
		res.Losses = append(res.Losses, l)
		res.Steps = step + 1

		if search != nil && phase == "train" {
			switch search.Observe(l) {
			case Reduce:
				saved.save(m.Params())
			case Restore:
				saved.load(m.Params())
				opt.Reset()
				res.KChosen = step
			}
			if search.Done() && res.KChosen < 0 {
				res.KChosen = step
			}
			rrae.K = search.K()
		}
		if rrae != nil {
			res.K = rrae.K
		}
		res.Planned = total
		if cfg.Progress != nil {
			cfg.Progress(StepInfo{Step: step + 1, Steps: total, Loss: l, LR: lr, K: res.K,
				ImagesPerS: float64((step+1-cfg.Start)*cfg.Batch) / time.Since(start).Seconds(), Phase: phase})
		}
	}
	if rrae != nil && rrae.Basis == nil {
		// FineTune = 0: the basis is still needed for inference.
		if err := setFinalBasis(m, rrae, ds, cfg.Batch); err != nil {
			return res, err
		}
	}
	if search != nil {
		res.Changes = search.History()
	}
	m.FreezeEncoder = false
	return res, nil
}

func checkTrainConfig(m *Model, ds *data.Dataset, cfg TrainConfig) error {
	if err := ds.Validate(); err != nil {
		return err
	}
	if ds.N == 0 {
		return errors.New("ae: Train: empty dataset")
	}
	if got := [3]int{ds.C, ds.H, ds.W}; got != m.InShape {
		return fmt.Errorf("ae: Train: data samples are %v, the model takes %v", got, m.InShape)
	}
	if cfg.Steps < 1 || cfg.Batch < 1 {
		return fmt.Errorf("ae: Train: steps = %d and batch = %d must be positive", cfg.Steps, cfg.Batch)
	}
	if last := max(cfg.Steps, cfg.MaxSteps); cfg.Start < 0 || cfg.Start > last {
		return fmt.Errorf("ae: Train: start step %d outside [0, %d]", cfg.Start, last)
	}
	if cfg.Batch > ds.N {
		return fmt.Errorf("ae: Train: batch %d is larger than the dataset (%d samples)", cfg.Batch, ds.N)
	}
	if len(cfg.Schedule) == 0 {
		return errors.New("ae: Train: no learning-rate schedule")
	}
	if cfg.Loss != "" && cfg.Loss != "mse" && cfg.Loss != "relative" && cfg.Loss != "relative-batch" {
		return fmt.Errorf("ae: Train: unknown loss %q (valid: mse, relative, relative-batch)", cfg.Loss)
	}
	if cfg.Optimizer != "" && cfg.Optimizer != "adam" && cfg.Optimizer != "adabelief" {
		return fmt.Errorf("ae: Train: unknown optimizer %q (valid: adam, adabelief)", cfg.Optimizer)
	}
	rrae, isRRAE := m.Latent.(*RRAELatent)
	if !isRRAE && (cfg.Adaptive != nil || cfg.FineTune != 0 || cfg.FineTuneLR != 0) {
		return fmt.Errorf("ae: Train: adaptive rank and fine-tuning need an RRAE model, not %s", m.Kind)
	}
	if cfg.MaxSteps > cfg.Steps && cfg.Adaptive == nil {
		return errors.New("ae: Train: MaxSteps extends an aRRAE search; this model has none")
	}
	if isRRAE {
		if kmax := min(m.LatentDim, cfg.Batch); cfg.Adaptive == nil && rrae.K > kmax {
			return fmt.Errorf("ae: Train: k = %d is larger than min(L = %d, batch = %d)", rrae.K, m.LatentDim, cfg.Batch)
		}
		if cfg.FineTune < 0 || cfg.FineTune >= cfg.Steps {
			return fmt.Errorf("ae: Train: fine-tuning steps %d must be in [0, steps = %d)", cfg.FineTune, cfg.Steps)
		}
		if !(cfg.FineTuneLR >= 0) || math.IsInf(cfg.FineTuneLR, 0) {
			return fmt.Errorf("ae: Train: fine-tuning learning rate %v must be finite and not negative", cfg.FineTuneLR)
		}
	}
	return nil
}

func newOptimizer(name string, params []*layers.Param, lr float64) *layers.Adam {
	if name == "adabelief" {
		return layers.NewAdaBelief(params, lr)
	}
	return layers.NewAdam(params, lr)
}

func newLoss(name string) layers.Loss {
	switch name {
	case "relative":
		return layers.NewRelativeError()
	case "relative-batch":
		return &layers.RelativeError{Batch: true}
	}
	return layers.NewMSE()
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// catchSVD turns the panic of a latent SVD that failed on its data into an
// error (wrapping ErrNonFinite unless the SVD merely hit its sweep cap); any
// other panic is a bug and goes on.
func catchSVD(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			fail, ok := r.(svdFailure)
			if !ok {
				panic(r)
			}
			var nc *linalg.NotConvergedError
			if errors.As(fail.err, &nc) {
				err = fmt.Errorf("ae: RRAE latent: %w", fail.err)
			} else {
				err = fmt.Errorf("%w: RRAE latent: %v", ErrNonFinite, fail.err)
			}
		}
	}()
	f()
	return nil
}

// savedParams is an in-memory checkpoint of parameter values.
type savedParams [][]float32

func (s *savedParams) save(params []*layers.Param) {
	if *s == nil {
		for _, p := range params {
			*s = append(*s, make([]float32, p.Value.Len()))
		}
	}
	for i, p := range params {
		copy((*s)[i], p.Value.Data)
	}
}

func (s savedParams) load(params []*layers.Param) {
	for i, p := range params {
		copy(p.Value.Data, s[i])
	}
}

// setFinalBasis computes U_f (rrae.txt §4.2): the training set passes
// through the encoder batch by batch, each batch's first k left singular
// vectors are kept, and the first k left singular vectors of their
// concatenation become the basis.
func setFinalBasis(m *Model, r *RRAELatent, ds *data.Dataset, batch int) error {
	r.Basis = nil
	k, l := r.K, m.LatentDim
	var bases [][]float32
	var err error
	forEachBatch(ds, batch, func(_ int, x *layers.Tensor) {
		if err != nil || x.Dim(0) < k {
			return // a failed batch, or too few samples for k directions
		}
		if err = catchSVD(func() { r.Forward(m.Encode(x)) }); err == nil {
			bases = append(bases, r.BatchBasis())
		}
	})
	if err != nil {
		return fmt.Errorf("ae: final basis: %w", err)
	}
	if len(bases) == 0 {
		return fmt.Errorf("ae: final basis: no batch has k = %d samples", k)
	}
	// The concatenation [U_1 … U_nb] is L×(nb·k).
	cols := len(bases) * k
	cat := make([]float32, l*cols)
	for b, u := range bases {
		for i := 0; i < l; i++ {
			copy(cat[i*cols+b*k:i*cols+(b+1)*k], u[i*k:(i+1)*k])
		}
	}
	basis, err := leftSingularVectors(l, cols, cat, k)
	if err != nil {
		return fmt.Errorf("ae: final basis: %w", err)
	}
	r.Basis = basis
	return nil
}

// leftSingularVectors returns the first k left singular vectors of the m×n
// row-major a, as an m×k row-major matrix.
func leftSingularVectors(m, n int, a []float32, k int) ([]float32, error) {
	s, err := linalg.SVDJacobi(m, n, a, n)
	if err != nil {
		return nil, err
	}
	if k > s.R {
		return nil, fmt.Errorf("k = %d exceeds the rank bound %d of a %d×%d matrix", k, s.R, m, n)
	}
	u := make([]float32, m*k)
	for i := 0; i < m; i++ {
		copy(u[i*k:(i+1)*k], s.U[i*s.R:i*s.R+k])
	}
	return u, nil
}
