package props

import (
	"testing"

	"pgregory.net/rapid"
)

// TestProgramsMatchModel: every generated program ends within its
// invocation bound; its BatchResults equal the model's where the outcome
// cannot depend on the schedule, and are consistent with the policy and
// with each branch's own outcome everywhere.
func TestProgramsMatchModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := programGen().Draw(t, "program")
		res, _ := runProgram(t, p, scheduleGen().Draw(t, "schedule"), nil)
		checkProgram(t, p, res, true)
	})
}

// TestProgramsScheduleIndependent: a program whose outcome the model knows
// ends alike, down to the normalized operation view, under two schedules.
func TestProgramsScheduleIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := programGen().Filter(func(p program) bool { m, _ := modelProgram(p); return m.known }).Draw(t, "program")
		a, _ := runProgram(t, p, scheduleGen().Draw(t, "scheduleA"), nil)
		b, _ := runProgram(t, p, scheduleGen().Draw(t, "scheduleB"), nil)
		checkProgram(t, p, b, true)
		sameOutcome(t, a, b)
	})
}

// TestProgramsReplayRunsNothing: re-invoking a finished execution with its
// whole log gives the same answer (the same BatchResult) without running a
// step body or calling the service.
func TestProgramsReplayRunsNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := programGen().Draw(t, "program")
		res, b := runProgram(t, p, scheduleGen().Draw(t, "schedule"), nil)
		checkReplay(t, b, res, interpret)
	})
}

// TestProgramsSurviveFaults: a crash right after any checkpoint call, or
// the failure of any call, leaves a consistent execution; where the model
// knows the outcome it is the fault-free run's, result and signature alike.
func TestProgramsSurviveFaults(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := programGen().Draw(t, "program")
		sched := scheduleGen().Draw(t, "schedule")
		clean, _ := runProgram(t, p, sched, nil)
		f := drawFault(t, checkpointCalls(clean))
		faulted, _ := runProgram(t, p, sched, &f)
		checkProgram(t, p, faulted, false)
		if m, _ := modelProgram(p); m.known {
			sameOutcome(t, clean, faulted)
		}
	})
}
