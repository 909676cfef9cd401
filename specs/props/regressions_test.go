package props

import (
	"encoding/json"
	"testing"
)

// regressions are counterexamples the properties found, replayed as plain
// cases: rapid fail files expire silently when the generators change.
var regressions = []struct {
	name    string
	program string
	sched   schedule
	fault   *fault
}{
	{
		// Fail-fast, two branches. Invocation 1: b0 succeeds and is
		// checkpointed; b1's first attempt fails and the invocation
		// suspends for the retry. Invocation 2: b1 fails for good and
		// stops the batch before b0's record is replayed into it, so
		// the BatchResult calls b0 STARTED although its record says
		// SUCCEEDED.
		name:    "a branch finished in an earlier invocation is listed STARTED",
		program: `{"root":{"branches":[{"ops":null},{"ops":[{"kind":"step","failures":-1,"attempts":2,"strategy":"linear","errorType":"BoomError"}]}],"policy":{"preset":"default"}}}`,
		sched:   schedule{Seed: 0},
	},
	{
		// The same after a crash: b0's SUCCEED reached the service in
		// the crashed invocation; the replay lets b1 fail first.
		name:    "a branch finished before a crash is listed STARTED after the replay",
		program: `{"root":{"branches":[{"ops":null},{"ops":[{"kind":"step","failures":1,"attempts":1,"errorType":"BoomError"}]}],"policy":{"preset":"default"}}}`,
		sched:   schedule{Seed: 0},
		fault:   &fault{Kind: faultCrash, Call: 1},
	},
	{
		// All fails on its step future while the other future waits 5 s;
		// a throttled call 3 makes the execution run past those 5 s, so
		// the abandoned future's wait ends SUCCEEDED there and stays
		// STARTED in the fault-free run. Both are right.
		name:    "an abandoned future's wait ends by its timer only when the execution outlives it",
		program: `{"root":{"branches":[{"ops":[{"kind":"futures","combinator":"all","futures":[{"wait":5},{"fail":true}]}]},{"ops":[{"kind":"step","attempts":1,"errorType":"BoomError"}]},{"ops":[{"kind":"wait","seconds":1}]},{"ops":[{"kind":"step","failures":-1,"attempts":4,"strategy":"exponential","errorType":"BoomError"}]}],"policy":{"preset":"allCompleted"}}}`,
		sched:   schedule{Seed: 0},
		fault:   &fault{Kind: faultThrottled, Call: 3},
	},
}

func TestRegressions(t *testing.T) {
	for _, tc := range regressions {
		t.Run(tc.name, func(t *testing.T) {
			var p program
			if err := json.Unmarshal([]byte(tc.program), &p); err != nil {
				t.Fatalf("program: %v", err)
			}
			res, _ := runProgram(t, p, tc.sched, tc.fault)
			checkProgram(t, p, res, tc.fault == nil)
			if m, _ := modelProgram(p); m.known && tc.fault != nil {
				clean, _ := runProgram(t, p, tc.sched, nil)
				sameOutcome(t, clean, res)
			}
		})
	}
}
