package ae

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// simulateRankSearch drives an AdaptiveRank with a synthetic loss whose floor
// is low for ranks ≥ trueRank and high below it: after each rank change the
// loss jumps up and decays back to its floor, with batch noise.
func simulateRankSearch(t *testing.T, kStart, trueRank, steps int, opt AdaptiveOptions) *AdaptiveRank {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	a := NewAdaptiveRank(kStart, opt)
	sinceChange := 0
	restored := false
	for s := 0; s < steps; s++ {
		floor := 1.0
		if a.K() < trueRank {
			floor = 3.0
		}
		loss := floor * (1 + 2*pow09(sinceChange)) * (1 + 0.02*rng.NormFloat64())
		switch a.Observe(loss) {
		case Reduce:
			if a.SavedK() != a.K()+1 {
				t.Fatalf("step %d: Reduce saved k=%d but moved to k=%d", s, a.SavedK(), a.K())
			}
			sinceChange = 0
		case Restore:
			if restored {
				t.Fatalf("step %d: second Restore", s)
			}
			if a.K() != a.SavedK() {
				t.Fatalf("step %d: Restore to k=%d, but the last saved rank is %d", s, a.K(), a.SavedK())
			}
			restored = true
			sinceChange = 0
		default:
			sinceChange++
		}
	}
	return a
}

func pow09(n int) float64 {
	p := 1.0
	for i := 0; i < n && p > 1e-12; i++ {
		p *= 0.9
	}
	return p
}

func TestAdaptiveRankFindsTrueRank(t *testing.T) {
	a := simulateRankSearch(t, 8, 2, 20000, AdaptiveOptions{PatienceInit: 50})
	if !a.Done() || a.K() != 2 {
		t.Fatalf("search ended done=%v at k=%d, want done at k=2; history %+v", a.Done(), a.K(), a.History())
	}
	h := a.History()
	if last := h[len(h)-1]; last.Action != Restore || last.K != 2 {
		t.Errorf("last change %+v, want a Restore to k=2", last)
	}
	if a.Target() <= 0 {
		t.Errorf("target %v was never set", a.Target())
	}
	// Ranks 7 down to 1 were each tried once: 7 reductions and a restore.
	if len(h) != 8 {
		t.Errorf("history has %d changes, want 8: %+v", len(h), h)
	}
}

func TestAdaptiveRankStopsAtMinK(t *testing.T) {
	a := simulateRankSearch(t, 4, 1, 20000, AdaptiveOptions{PatienceInit: 50, MinK: 1})
	if !a.Done() || a.K() != 1 {
		t.Fatalf("with a rank-1 loss the search ended done=%v at k=%d, want k=1; history %+v", a.Done(), a.K(), a.History())
	}
	for _, c := range a.History() {
		if c.Action == Restore {
			t.Errorf("unexpected restore %+v", c)
		}
	}
}

func TestAdaptiveRankWaitsForStagnation(t *testing.T) {
	a := NewAdaptiveRank(5, AdaptiveOptions{})
	// A loss that keeps falling by 10% per step never stagnates.
	loss := 1.0
	for s := 0; s < 2000; s++ {
		if act := a.Observe(loss); act != Continue {
			t.Fatalf("step %d: %v while the loss still falls fast", s, act)
		}
		loss *= 0.9
	}
	if a.K() != 5 || a.Target() != 0 {
		t.Errorf("k = %d, target = %v; want 5 and unset", a.K(), a.Target())
	}
}

// TestAdaptiveRankReducesOnEachBatchUnderTarget pins the reference tracker's
// rule: once the target is set, every batch loss under it lowers the rank at
// once (the moving average runs on across the change), and the patience
// counts afresh at each rank.
func TestAdaptiveRankReducesOnEachBatchUnderTarget(t *testing.T) {
	a := NewAdaptiveRank(6, AdaptiveOptions{PatienceInit: 10, Patience: 30})
	s := 0
	for ; a.Target() == 0; s++ {
		if s > 1000 {
			t.Fatal("a constant loss never set the target")
		}
		a.Observe(1)
	}
	if a.K() != 5 {
		t.Fatalf("setting the target left k=%d, want the first reduction to 5", a.K())
	}
	for want := 4; want >= 2; want-- {
		if act := a.Observe(0.5); act != Reduce || a.K() != want {
			t.Fatalf("loss under the target: %v at k=%d, want reduce to k=%d", act, a.K(), want)
		}
	}
	// At k = 2 the loss stays over the target: 29 bad steps are within the
	// patience, the 30th gives the rank up and restores k = 3.
	for i := 1; i < 30; i++ {
		if act := a.Observe(1); act != Continue {
			t.Fatalf("bad step %d: %v, want continue", i, act)
		}
	}
	if act := a.Observe(1); act != Restore || a.K() != 3 || !a.Done() {
		t.Fatalf("30th bad step: %v at k=%d (done %v), want restore to k=3", act, a.K(), a.Done())
	}
	// Settled, the search closes after 30 steps within 5 % of the 20-step
	// average. A loss of 10 against ≈ 1 is not one, nor are the 19 after it
	// (the average, 1.45, still holds it): 10 stagnant steps, the spike,
	// then 19 + 20 more.
	for i := 0; i < 10; i++ {
		a.Observe(1)
	}
	a.Observe(10)
	n := 0
	for ; !a.Closed() && n < 100; n++ {
		a.Observe(1)
	}
	if n != 39 || a.K() != 3 {
		t.Fatalf("closed %d steps after the spike at k=%d, want 39 at k=3", n, a.K())
	}
}

// TestAdaptiveRankStopGoesBackToLastRankThatReachedTarget: a search cut
// short by the training budget ends at the last rank that reached the
// target, not at the rank still being tried.
func TestAdaptiveRankStopGoesBackToLastRankThatReachedTarget(t *testing.T) {
	a := NewAdaptiveRank(6, AdaptiveOptions{PatienceInit: 10})
	if act := a.Stop(); act != Continue || a.K() != 6 || !a.Done() {
		t.Fatalf("stop before the target: %v at k=%d, want continue at the starting rank", act, a.K())
	}
	a = NewAdaptiveRank(6, AdaptiveOptions{PatienceInit: 10})
	for a.Target() == 0 {
		a.Observe(1)
	}
	a.Observe(0.5) // k 5 → 4
	if a.K() != 4 || a.SavedK() != 5 {
		t.Fatalf("k=%d saved %d, want 4 and 5", a.K(), a.SavedK())
	}
	if act := a.Stop(); act != Restore || a.K() != 5 || !a.Done() {
		t.Fatalf("stop mid-search: %v at k=%d, want restore to k=5", act, a.K())
	}
	if act := a.Stop(); act != Continue || a.K() != 5 {
		t.Fatalf("second stop: %v at k=%d, want continue at 5", act, a.K())
	}
}

func TestRankChangeJSON(t *testing.T) {
	b, err := json.Marshal([]RankChange{{Step: 1026, K: 15, Action: Reduce}, {Step: 5987, K: 3, Action: Restore}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"step":1026,"k":15,"action":"reduce"},{"step":5987,"k":3,"action":"restore"}]`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var back []RankChange
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 2 || back[1].Action != Restore || back[0].K != 15 {
		t.Errorf("read back %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`[{"action":"jump"}]`), &back); err == nil {
		t.Error("unknown action accepted")
	}
}
