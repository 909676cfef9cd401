package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

func TestServeUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notExecutable := writeFile(t, filepath.Join(dir, "bootstrap.txt"), "not a program\n")
	for _, tc := range []struct {
		name  string
		args  []string
		parts []string
	}{
		{"non-loopback", []string{"--addr", "0.0.0.0:0"}, []string{`"0.0.0.0:0" is not a loopback address`, "--allow-non-loopback"}},
		{"non-loopback ipv6", []string{"--addr", "[::]:0"}, []string{"is not a loopback address"}},
		{"bad addr", []string{"--addr", "nonsense"}, []string{"nonsense"}},
		{"function without =", []string{"--addr", "127.0.0.1:0", "--function", "badspec"}, []string{`--function "badspec": want NAME=EXECUTABLE`}},
		{"function without name", []string{"--addr", "127.0.0.1:0", "--function", "=/bin/true"}, []string{"want NAME=EXECUTABLE"}},
		{"function without path", []string{"--addr", "127.0.0.1:0", "--function", "calc="}, []string{"want NAME=EXECUTABLE"}},
		{"missing executable", []string{"--addr", "127.0.0.1:0", "--function", "calc=/nonexistent"}, []string{"function calc", "/nonexistent", "no such file"}},
		{"not executable", []string{"--addr", "127.0.0.1:0", "--function", "calc=" + notExecutable}, []string{"function calc", notExecutable, "not an executable"}},
		{"directory", []string{"--addr", "127.0.0.1:0", "--function", "calc=" + dir}, []string{"function calc", dir}},
		{"zero timeout", []string{"--addr", "127.0.0.1:0", "--timeout", "0s"}, []string{"--timeout must be positive"}},
		{"negative max-instances", []string{"--addr", "127.0.0.1:0", "--max-instances", "-1"}, []string{"--max-instances must be positive"}},
		{"zero retention", []string{"--addr", "127.0.0.1:0", "--retention", "0s"}, []string{"--retention must be positive"}},
		{"zero max-executions", []string{"--addr", "127.0.0.1:0", "--max-executions", "0"}, []string{"--max-executions must be positive"}},
		{"bad duration", []string{"--timeout", "soon"}, []string{"soon"}},
		{"bad start time", []string{"--addr", "127.0.0.1:0", "--start-time", "2026-01-01"}, []string{`--start-time "2026-01-01": want an RFC 3339 time`}},
		{"bad seed", []string{"--addr", "127.0.0.1:0", "--seed", "-1"}, []string{`--seed "-1": want a non-negative integer`}},
		{"negative shutdown timeout", []string{"--addr", "127.0.0.1:0", "--shutdown-timeout", "-1s"}, []string{"--shutdown-timeout -1s: want 0 or more"}},
		{"unexpected argument", []string{"calculator"}, []string{`unexpected argument "calculator"`}},
		{"unknown flag", []string{"--port", "9000"}, []string{"port", "dpcheck serve -h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, append([]string{"serve"}, tc.args...)...)
			wantUsageError(t, code, stdout, stderr, append([]string{"dpcheck serve: "}, tc.parts...)...)
		})
	}
}

// The in-process functions and conformance handlers serve publishes.
func TestServedFunctions(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, f := range servedFunctions(nil) {
		if names[f.Name] {
			t.Errorf("function %s served twice", f.Name)
		}
		names[f.Name] = true
	}
	for _, want := range []string{"calculator", "calculator--success", "parallel--nested-retry", "callback--4-1", "invoke--5-1", "echo"} {
		if !names[want] {
			t.Errorf("function %s is not served (served: %d functions)", want, len(names))
		}
	}
	// An executable takes the name of an in-process function.
	fns := servedFunctions([]emulator.Function{{Name: "calculator", Executable: "/bin/true"}})
	n := 0
	for _, f := range fns {
		if f.Name == "calculator" {
			n++
			if f.Executable != "/bin/true" || f.Invoker != nil {
				t.Errorf("calculator is %+v, want the executable", f)
			}
		}
	}
	if n != 1 {
		t.Errorf("calculator served %d times, want once", n)
	}
}

// serveProcess is dpcheck serve running in a child process (the test
// binary, through TestMain): the verb runs until a signal stops it, so a
// child process is the only way to test it whole.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	stdout *syncBuffer // stdout after the listening line
	stderr *syncBuffer
	done   chan struct{} // closed when the process has ended
	err    error         // cmd.Wait's, once done is closed
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), reexecEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				listening <- sc.Text()
				first = false
				continue
			}
			p.stdout.Write([]byte(sc.Text() + "\n"))
		}
		close(listening)
		p.err = cmd.Wait()
		close(p.done)
	}()
	select {
	case line, ok := <-listening:
		url, found := strings.CutPrefix(line, "dpcheck serve: listening on ")
		if !ok || !found || !strings.HasPrefix(url, "http://") {
			t.Fatalf("first line %q, want \"dpcheck serve: listening on http://HOST:PORT\"; stderr %q", line, p.stderr.String())
		}
		p.url = url
	case <-time.After(20 * time.Second):
		t.Fatalf("dpcheck serve did not report its address; stderr %q", p.stderr.String())
	}
	return p
}

// interrupt sends SIGINT and waits for the process to end; it returns the
// exit status and the rest of stdout.
func (p *serveProcess) interrupt(t *testing.T) (int, string) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("dpcheck serve did not stop on SIGINT; stderr %q", p.stderr.String())
	}
	var exit *exec.ExitError
	if p.err != nil && !errors.As(p.err, &exit) {
		t.Fatal(p.err)
	}
	return p.cmd.ProcessState.ExitCode(), strings.TrimSuffix(p.stdout.String(), "\n")
}

// lambdaClient is the aws-sdk-go-v2 client of harness/cloud, with the AWS
// configuration of the environment kept out of the way.
func lambdaClient(t *testing.T, url string) *lambda.Client {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	client, err := cloud.NewClient(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestServe runs dpcheck serve on 127.0.0.1:0 with the in-process functions
// and one executable (--function calc=EXE: the test binary is that
// bootstrap, see TestMain), invokes the calculator both ways through the
// aws-sdk-go-v2 lambda client, runs conform through it, and stops it with
// SIGINT.
func TestServe(t *testing.T) {
	exe, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	p := startServe(t, "--addr", "127.0.0.1:0", "--quiet", "--function", "calc="+os.Args[0], "--max-instances", "1")
	if !strings.HasPrefix(p.url, "http://127.0.0.1:") {
		t.Fatalf("listening on %s, want http://127.0.0.1:PORT", p.url)
	}
	client := lambdaClient(t, p.url)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, fn := range []string{"calculator:live", "calc:live"} {
		for _, tc := range []struct{ name, input, result, functionError string }{
			{"success", `{"num1":10,"num2":5}`, `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`, ""},
			{"division by zero", `{"num1":10,"num2":0}`, `{"error_details":"One or more operations failed","successCount":3,"failureCount":1,` +
				`"results":{"Add":10,"Subtract":10,"Multiply":0},` +
				`"failures":[{"operation":"division","errorType":"DivisionByZeroError","errorMessage":"Division by zero is not allowed"}]}`, ""},
			{"invalid input", `{"num1":"10"}`, `{"errorType":"InvalidInputError","errorMessage":"function: num1 must be a finite JSON number, got a string"}`, "Unhandled"},
		} {
			t.Run(fn+"/"+tc.name, func(t *testing.T) {
				out, err := client.Invoke(ctx, &lambda.InvokeInput{
					FunctionName: aws.String(fn),
					Payload:      []byte(tc.input),
				})
				if err != nil {
					t.Fatalf("Invoke: %v; serve stderr %q", err, p.stderr.String())
				}
				if got := aws.ToString(out.FunctionError); got != tc.functionError {
					t.Errorf("FunctionError %q, want %q", got, tc.functionError)
				}
				jsonEqual(t, out.Payload, tc.result)
				arn := aws.ToString(out.DurableExecutionArn)
				if arn == "" {
					t.Fatal("no durable execution ARN in the Invoke response")
				}
				hist, err := client.GetDurableExecutionHistory(ctx, &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(arn)})
				if err != nil {
					t.Fatalf("GetDurableExecutionHistory: %v", err)
				}
				if n := len(hist.Events); n == 0 || !strings.HasPrefix(string(hist.Events[n-1].EventType), "Execution") {
					t.Errorf("history of %s does not end with the execution's end: %d events", arn, n)
				}
			})
		}
	}

	// An unqualified invoke of a durable function is refused, as on Lambda.
	if _, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("calculator"), Payload: []byte(`{}`)}); err == nil {
		t.Error("an unqualified Invoke succeeded")
	}

	// conform runs requirement files through the same emulator, which
	// serves each conformance handler as SUITE--ID.
	dir := t.TempDir()
	copyFixture(t, dir, "calculator", "success", "calculator", "success")
	copyFixture(t, dir, "parallel", "wait-replay", "parallel", "wait-replay")
	t.Setenv("DPCHECK_TARGET", "")
	t.Setenv("DPCHECK_FUNCTIONS", "")
	t.Setenv("DPCHECK_QUALIFIER", "")
	code, stdout, stderr := cli(t, "conform", "--endpoint", p.url, dir)
	if code != 0 || stderr != "" || lastLine(stdout) != "2 passed, 0 failed" {
		t.Errorf("conform --endpoint %s: exit %d, stderr %q\n%s", p.url, code, stderr, stdout)
	}

	checkUI(t, p.url)

	code, rest := p.interrupt(t)
	want := "dpcheck serve: timelines at " + p.url + "/ui/\ndpcheck serve: function calc runs " + exe + "\ndpcheck serve: stopping"
	if code != 0 || rest != want {
		t.Errorf("after SIGINT: exit %d, stdout %q, stderr %q; want 0 and %q", code, rest, p.stderr.String(), want)
	}
}

// A signal that comes as soon as serve says it is listening stops it
// cleanly too (a script starting serve and stopping it at once).
func TestServeStopsOnSignalRightAfterListening(t *testing.T) {
	t.Parallel()
	for i := range 3 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			p := startServe(t, "--addr", "127.0.0.1:0", "--quiet")
			code, rest := p.interrupt(t)
			if want := "dpcheck serve: timelines at " + p.url + "/ui/\ndpcheck serve: stopping"; code != 0 || rest != want {
				t.Fatalf("exit %d (%v), stdout %q, stderr %q; want 0 and the timelines and stopping lines", code, p.cmd.ProcessState, rest, p.stderr.String())
			}
		})
	}
}

// With --addr 0.0.0.0:0 serve says it listens on all addresses, with the
// port it got, and where this machine reaches it; the calculator answers
// there, and at a non-loopback address of the machine when it has one.
// --start-time sets the clock and --seed the ARNs: two servers with both
// mint the same first ARN at that time.
func TestServeStartTimeAndSeed(t *testing.T) {
	var arns []string
	for range 2 {
		p := startServe(t, "--addr", "127.0.0.1:0", "--quiet", "--start-time", "2030-05-01T12:00:00Z", "--seed", "5")
		client := lambdaClient(t, p.url)
		out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		exec, err := client.GetDurableExecution(context.Background(), &lambda.GetDurableExecutionInput{DurableExecutionArn: out.DurableExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2030, time.May, 1, 12, 0, 0, 0, time.UTC); !aws.ToTime(exec.StartTimestamp).Equal(want) {
			t.Errorf("started at %s, want %s", aws.ToTime(exec.StartTimestamp), want)
		}
		arns = append(arns, aws.ToString(out.DurableExecutionArn))
		p.interrupt(t)
	}
	if arns[0] != arns[1] {
		t.Errorf("--seed 5 minted %s, then %s", arns[0], arns[1])
	}
}

func TestServeSaysWhereItListens(t *testing.T) {
	p := startServe(t, "--addr", "0.0.0.0:0", "--allow-non-loopback", "--quiet")
	port, found := strings.CutPrefix(p.url, "http://0.0.0.0:")
	if !found || port == "0" || port == "" {
		t.Fatalf("listening on %s, want http://0.0.0.0:PORT", p.url)
	}
	urls := []string{"http://127.0.0.1:" + port}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil && !ip.IP.IsLoopback() {
				urls = append(urls, "http://"+net.JoinHostPort(ip.IP.String(), port))
				break
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, url := range urls {
		out, err := lambdaClient(t, url).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), Payload: []byte(`{"num1":10,"num2":5}`)})
		if err != nil || out.FunctionError != nil {
			t.Fatalf("invoke at %s: %v", url, err)
		}
		jsonEqual(t, out.Payload, `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}`)
	}
	code, rest := p.interrupt(t)
	if want := "dpcheck serve: on this machine: " + urls[0] + "\ndpcheck serve: timelines at " + urls[0] + "/ui/\ndpcheck serve: stopping"; code != 0 || rest != want {
		t.Errorf("exit %d, stdout %q, want 0 and %q", code, rest, want)
	}
}

// The plugin suite's Go handlers pass through dpcheck serve as they do in
// process: what the served functions' plugins log reaches the execution's
// captured output, with a request id in each invocation's context.
func TestConformPluginSuiteThroughServe(t *testing.T) {
	p := startServe(t, "--addr", "127.0.0.1:0", "--quiet")
	var stdout, stderr strings.Builder
	code := conformVerb([]string{"../../conformance/suites/testdata/plugin", "--endpoint", p.url}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "18 passed, 0 failed") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
}
