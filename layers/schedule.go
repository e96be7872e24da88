package layers

import "fmt"

// Stage is a run of Steps optimizer steps at learning rate LR.
type Stage struct {
	Steps int
	LR    float64
}

// Schedule is a staged learning rate: its stages one after the other, as
// the papers' training recipes give them ("1e-3 for 2000 steps, then 1e-4
// for 1000"). The training loop asks LR(step) before each step and passes
// it to Optimizer.SetLR, or calls Apply.
type Schedule []Stage

// NewSchedule returns a schedule of the given stages. It panics on a stage
// with a negative step count or a learning rate that is not positive.
func NewSchedule(stages ...Stage) Schedule {
	for i, s := range stages {
		if s.Steps < 0 || !(s.LR > 0) {
			panic(fmt.Sprintf("layers: NewSchedule: stage %d has %d steps at learning rate %v", i, s.Steps, s.LR))
		}
	}
	return Schedule(stages)
}

// LR returns the learning rate of step (counted from 0): that of the stage
// the step falls in, and the last stage's beyond the end. It panics on an
// empty schedule.
func (s Schedule) LR(step int) float64 {
	if len(s) == 0 {
		panic("layers: Schedule.LR: empty schedule")
	}
	for _, st := range s {
		if step < st.Steps {
			return st.LR
		}
		step -= st.Steps
	}
	return s[len(s)-1].LR
}

// Stage returns the index of the stage step (from 0) falls in, and
// len(s) beyond the end.
func (s Schedule) Stage(step int) int {
	for i, st := range s {
		if step < st.Steps {
			return i
		}
		step -= st.Steps
	}
	return len(s)
}

// Total returns the number of steps of all stages.
func (s Schedule) Total() int {
	n := 0
	for _, st := range s {
		n += st.Steps
	}
	return n
}

// Apply sets opt's learning rate to that of step (from 0).
func (s Schedule) Apply(opt Optimizer, step int) { opt.SetLR(s.LR(step)) }
