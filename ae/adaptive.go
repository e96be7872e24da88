package ae

import "fmt"

// AdaptiveOptions tune the aRRAE rank search (rrae.txt §5, Algorithm 1). The
// zero value of a field means its default, given in brackets; these are the
// reference implementation's settings.
type AdaptiveOptions struct {
	// Window is the number of steps in the moving average of the batch
	// loss [20].
	Window int
	// StagnationTol: a step is stagnant when |loss − avg|/avg is below it
	// [0.05].
	StagnationTol float64
	// PatienceInit is the number of stagnant steps after which the loss at
	// the starting rank counts as converged and becomes the target [50, as
	// the reference code's example for the bumps; it used 50–200].
	PatienceInit int
	// EndTol: during the search a step counts against the current rank
	// when |loss − avg|/avg is below it or loss > avg [0.01].
	EndTol float64
	// Patience is the number of such steps after which the rank is given up
	// and the previous one restored [500]; once settled, the search is
	// closed after this many steps within StagnationTol of the average
	// (the reference tracker's end of training).
	Patience int
	// MinK is the smallest rank tried [1].
	MinK int
}

func (o AdaptiveOptions) withDefaults() AdaptiveOptions {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Window, 20)
	deff(&o.StagnationTol, 0.05)
	def(&o.PatienceInit, 50)
	deff(&o.EndTol, 0.01)
	def(&o.Patience, 500)
	def(&o.MinK, 1)
	return o
}

// Action tells the training loop what to do after an AdaptiveRank step.
type Action int

const (
	// Continue training at the current rank.
	Continue Action = iota
	// Reduce: the current rank reached the target. Save the model as the
	// checkpoint of the rank it was trained at (AdaptiveRank.SavedK), then
	// go on at the lower rank K().
	Reduce
	// Restore: the current rank could not reach the target within the
	// patience. Load the checkpoint saved at K() (one above), reset the
	// optimizer and finish training there; the search is over.
	Restore
)

// MarshalText writes the action's name, for metrics.json.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (a *Action) UnmarshalText(b []byte) error {
	for _, c := range []Action{Continue, Reduce, Restore} {
		if string(b) == c.String() {
			*a = c
			return nil
		}
	}
	return fmt.Errorf("ae: unknown rank action %q", b)
}

func (a Action) String() string {
	switch a {
	case Continue:
		return "continue"
	case Reduce:
		return "reduce"
	case Restore:
		return "restore"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// AdaptiveRank is the aRRAE rank search as a state machine driven by the
// batch loss: train at the starting rank until the loss stagnates and take
// its moving average as the target; then lower the rank by one each time a
// batch loss gets back under the target; when a rank cannot get there within
// the patience, go back to the last rank that did and stop searching. As in
// the reference tracker, the moving average runs on across rank changes (a
// reduction may come the step after the previous one: the search is as fast
// as the loss allows) and the patience counts afresh at each rank.
type AdaptiveRank struct {
	opt     AdaptiveOptions
	k       int
	savedK  int
	target  float64 // 0 until set
	done    bool
	closed  bool
	window  []float64 // ring buffer of the last opt.Window losses
	next    int       // ring position
	filled  int
	sum     float64
	counter int // stagnant steps (initial phase) or bad steps (search)
	step    int
	history []RankChange
}

// RankChange records when the rank changed and why; in JSON
// {"step": 1026, "k": 15, "action": "reduce"}.
type RankChange struct {
	Step   int    `json:"step"` // steps observed, counted from 1
	K      int    `json:"k"`    // the rank from then on
	Action Action `json:"action"`
}

// NewAdaptiveRank starts a search at rank kStart, min(L, batch) in the paper.
// It panics unless kStart ≥ 1.
func NewAdaptiveRank(kStart int, opt AdaptiveOptions) *AdaptiveRank {
	if kStart < 1 {
		panic(fmt.Sprintf("ae: NewAdaptiveRank: kStart = %d < 1", kStart))
	}
	opt = opt.withDefaults()
	return &AdaptiveRank{opt: opt, k: kStart, window: make([]float64, opt.Window)}
}

// K is the rank to train at now.
func (a *AdaptiveRank) K() int { return a.k }

// SavedK is the rank of the last checkpoint the loop was told to save.
func (a *AdaptiveRank) SavedK() int { return a.savedK }

// Target is the loss the reduced ranks have to reach, or 0 while the first
// rank is still converging.
func (a *AdaptiveRank) Target() float64 { return a.target }

// Done reports whether the search has settled.
func (a *AdaptiveRank) Done() bool { return a.done }

// Closed reports whether, after settling, the loss has been within
// StagnationTol of its moving average for Patience steps: the reference
// tracker's criterion to end training (TrainConfig.MaxSteps uses it).
func (a *AdaptiveRank) Closed() bool { return a.closed }

// History lists the rank changes so far.
func (a *AdaptiveRank) History() []RankChange { return a.history }

// Observe records the batch loss of one training step at rank K() and says
// what to do next. After the search is done it always returns Continue (and
// counts towards Closed).
func (a *AdaptiveRank) Observe(loss float64) Action {
	a.step++
	if a.closed {
		return Continue
	}
	avg, full := a.push(loss)
	if !full {
		return Continue
	}
	rel := 0.0
	if avg != 0 {
		rel = abs(loss-avg) / avg
	}
	if a.done {
		if rel < a.opt.StagnationTol {
			a.counter++
		}
		a.closed = a.counter >= a.opt.Patience
		return Continue
	}
	if a.target == 0 {
		if rel < a.opt.StagnationTol {
			a.counter++
		}
		if a.counter >= a.opt.PatienceInit {
			a.target = avg
			return a.reduce()
		}
		return Continue
	}
	if loss < a.target {
		return a.reduce()
	}
	if rel < a.opt.EndTol || loss > avg {
		a.counter++
	}
	if a.counter >= a.opt.Patience {
		a.k++
		a.done, a.counter = true, 0
		a.history = append(a.history, RankChange{Step: a.step, K: a.k, Action: Restore})
		return Restore
	}
	return Continue
}

// Stop ends a search that has not settled when the training budget is
// spent. The rank being tried has not reached the target, so the search goes
// back to the last rank that did: Restore (load its checkpoint), or Continue
// when the target was never set and the starting rank stays.
func (a *AdaptiveRank) Stop() Action {
	if a.done {
		return Continue
	}
	a.done, a.closed = true, true
	if a.savedK == 0 {
		return Continue
	}
	a.k = a.savedK
	a.history = append(a.history, RankChange{Step: a.step, K: a.k, Action: Restore})
	return Restore
}

// reduce saves the current rank and moves to the next lower one; at MinK
// the search ends there.
func (a *AdaptiveRank) reduce() Action {
	a.savedK = a.k
	a.counter = 0
	if a.k <= a.opt.MinK {
		a.done = true
		return Continue
	}
	a.k--
	a.history = append(a.history, RankChange{Step: a.step, K: a.k, Action: Reduce})
	return Reduce
}

// push adds loss to the moving window and returns the window's mean, the
// new loss included as in the reference tracker, and whether the window was
// already full before it (the reference compares from its 21st loss on).
func (a *AdaptiveRank) push(loss float64) (avg float64, full bool) {
	full = a.filled == len(a.window)
	if full {
		a.sum -= a.window[a.next]
	} else {
		a.filled++
	}
	a.window[a.next] = loss
	a.sum += loss
	a.next = (a.next + 1) % len(a.window)
	return a.sum / float64(a.filled), full
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
