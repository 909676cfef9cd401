package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

func TestSweepUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		parts []string
	}{
		{"no arguments", nil, []string{"want FUNCTION and INPUT_JSON, got 0"}},
		{"no endpoint", []string{"calculator", "{}"}, []string{`--endpoint ""`, "dpcheck serve"}},
		{"bad endpoint", []string{"--endpoint", "ftp://x", "calculator", "{}"}, []string{`--endpoint "ftp://x"`}},
		{"bad input", []string{"--endpoint", "http://127.0.0.1:1", "calculator", "{nope"}, []string{`INPUT_JSON "{nope" is not JSON`}},
		{"bad fault", []string{"--endpoint", "http://127.0.0.1:1", "--fault", "crash", "calculator", "{}"}, []string{`--fault "crash"`, "kill"}},
		{"bad call", []string{"--endpoint", "http://127.0.0.1:1", "--call", "0", "calculator", "{}"}, []string{`--call "0"`}},
		{"bad workers", []string{"--endpoint", "http://127.0.0.1:1", "--workers", "0", "calculator", "{}"}, []string{"--workers 0"}},
		{"unreachable", []string{"--endpoint", "http://127.0.0.1:1", "calculator", "{}"}, []string{"the clean run"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, append([]string{"sweep"}, tc.args...)...)
			wantUsageError(t, code, stdout, stderr, append([]string{"dpcheck sweep: "}, tc.parts...)...)
		})
	}
}

type deliveryKey struct{}

// sweepServer serves the in-process calculator and "counting", whose
// result says how many times its execution was delivered: a planted bug
// that a duplicate delivery exposes.
func sweepServer(t *testing.T) string {
	t.Helper()
	var mu sync.Mutex
	deliveries := map[string]int{}
	counting := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		n, err := durable.Step(ctx, "work", func(durable.StepContext) (int, error) { return 1, nil })
		return fmt.Sprintf("work %d, delivery %d", n, ctx.Value(deliveryKey{})), err
	})
	srv, err := emulator.New(emulator.Config{Functions: []emulator.Function{
		{Name: "calculator", Invoker: durable.Handle(function.Handler)},
		{Name: "counting", Invoker: func(ctx context.Context, env durable.Env, envelope []byte) ([]byte, error) {
			in, err := durable.DecodeInvocationInput(envelope)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			deliveries[in.DurableExecutionArn]++
			n := deliveries[in.DurableExecutionArn]
			mu.Unlock()
			return counting(context.WithValue(ctx, deliveryKey{}, n), env, envelope)
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URL()
}

func TestSweepVerb(t *testing.T) {
	url := sweepServer(t)
	t.Run("no divergence", func(t *testing.T) {
		code, stdout, stderr := cli(t, "sweep", "--endpoint", url, "--fault", "throttle", "--fault", "lose", "--fault", "duplicate",
			"calculator", `{"num1":10,"num2":0}`)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		for _, part := range []string{"the clean run made", "clean          reference SUCCEEDED", "throttle@1     same", "lose@1         same", "duplicate@1    same", "0 diverged"} {
			if !strings.Contains(stdout, part) {
				t.Errorf("stdout lacks %q:\n%s", part, stdout)
			}
		}
	})
	t.Run("divergence", func(t *testing.T) {
		code, stdout, _ := cli(t, "sweep", "--endpoint", url, "--fault", "duplicate", "--call", "1", "counting", `{}`)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, stdout)
		}
		rerun := "rerun: dpcheck sweep --endpoint " + url + " --fault duplicate --call 1 counting '{}'"
		for _, part := range []string{"duplicate@1    DIVERGED", "result ", "first differing event: #", "ExecutionSucceeded", rerun, "1 runs, 0 same, 1 diverged"} {
			if !strings.Contains(stdout, part) {
				t.Errorf("stdout lacks %q:\n%s", part, stdout)
			}
		}
	})
	t.Run("kill needs a process", func(t *testing.T) {
		code, stdout, stderr := cli(t, "sweep", "--endpoint", url, "--fault", "kill", "calculator", `{}`)
		if code != 2 || !strings.Contains(stderr, "runs in process, so there is no process to kill") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
}

// A sweep whose clean run the emulator stopped says so first, with the
// cause, makes no faulted run and exits 1.
func TestSweepCleanRunDidNotFinish(t *testing.T) {
	waiter := durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		for range 5 {
			if err := durable.Wait(ctx, "nap", time.Second); err != nil {
				return "", err
			}
		}
		return "done", nil
	})
	srv, err := emulator.New(emulator.Config{MaxInvocations: 3, Functions: []emulator.Function{{Name: "waiter", Invoker: waiter}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	code, stdout, stderr := cli(t, "sweep", "--endpoint", srv.URL(), "waiter", `{}`)
	want := "sweep waiter {} on " + srv.URL() + ": the clean run did not finish on its own: it ended STOPPED after 3 checkpoint calls: " +
		"dpcheck.InvocationCap: the emulator stopped the execution after 3 invocations\n" +
		"clean          reference STOPPED (dpcheck.InvocationCap: the emulator stopped the execution after 3 invocations), 3 calls, 3 invocations\n" +
		"sweep: no faulted run made: a fault is compared with a clean run that finishes on its own; make it finish first\n"
	if code != 1 || stdout != want || stderr != "" {
		t.Errorf("exit %d, stdout\n%s\nstderr %q; want exit 1 and\n%s", code, stdout, stderr, want)
	}
}

// On a terminal the progress line is rewritten in place and cleared
// before other output; elsewhere nothing is shown.
func TestSweepProgress(t *testing.T) {
	t.Parallel()
	var term strings.Builder
	p := &progress{w: &term}
	p.show(1, 4)
	p.show(2, 4)
	p.clear()
	p.clear()
	if want := "\r\033[Ksweep: 1/4 runs finished\r\033[Ksweep: 2/4 runs finished\r\033[K"; term.String() != want {
		t.Errorf("terminal got %q, want %q", term.String(), want)
	}
	var pipe strings.Builder
	p = newProgress(&pipe)
	p.show(1, 4)
	p.clear()
	if pipe.Len() != 0 {
		t.Errorf("not a terminal, got %q", pipe.String())
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"calculator":  "calculator",
		"parallel--8": "parallel--8",
		`{"a":1}`:     `'{"a":1}'`,
		"it's":        `'it'\''s'`,
		"":            "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
