package layers

import "testing"

func TestScheduleStages(t *testing.T) {
	s := NewSchedule(Stage{Steps: 3, LR: 1e-3}, Stage{Steps: 0, LR: 5e-4}, Stage{Steps: 2, LR: 1e-4})
	want := []float64{1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4, 1e-4}
	for step, w := range want {
		if got := s.LR(step); got != w {
			t.Errorf("LR(%d) = %v, want %v", step, got, w)
		}
	}
	if s.Total() != 5 || s.Stage(2) != 0 || s.Stage(3) != 2 || s.Stage(5) != 3 {
		t.Errorf("Total %d, Stage(2) %d, Stage(3) %d, Stage(5) %d", s.Total(), s.Stage(2), s.Stage(3), s.Stage(5))
	}
	opt := NewSGD([]*Param{NewParam("w", 2)}, 1)
	s.Apply(opt, 4)
	if opt.LR() != 1e-4 {
		t.Errorf("Apply(opt, 4): lr %v", opt.LR())
	}
	expectPanic(t, "NewSchedule with a zero rate", "stage 1 has 2 steps at learning rate 0", func() {
		NewSchedule(Stage{Steps: 1, LR: 1}, Stage{Steps: 2})
	})
}
