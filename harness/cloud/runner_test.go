package cloud_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"go.uber.org/goleak"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
	"github.com/dpcheck/dpcheck/harness"
	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/conformance"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

func TestMain(m *testing.M) {
	if os.Getenv(loggerEnv) != "" {
		runLogger() // this process is a function the emulator started; never returns
	}
	code := m.Run()
	// The e2e check's client comes from the default AWS configuration,
	// whose pooled connections this package cannot close.
	var ignore []goleak.Option
	if env, _ := cloud.ReadEnv(); env.Remote() {
		ignore = append(ignore, goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
			goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"))
	}
	if code == 0 {
		if err := goleak.Find(ignore...); err != nil {
			os.Stderr.WriteString("goroutine leak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

// serve starts an emulator with fns and returns a client for it.
func serve(t *testing.T, fns ...emulator.Function) (*emulator.Server, *lambda.Client) {
	t.Helper()
	srv, err := emulator.New(emulator.Config{Functions: fns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return srv, lambda.New(lambda.Options{
		BaseEndpoint: aws.String(srv.URL()),
		Region:       "us-east-1",
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   &http.Client{Transport: transport},
		Retryer:      retry.AddWithMaxAttempts(retry.NewStandard(), 1),
	})
}

func calculator() emulator.Function {
	return emulator.Function{Name: "calculator", Invoker: durable.Handle(function.Handler)}
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// The cloud runner's Result is the local runner's: same status, result,
// operations and invocations for the same execution.
func TestRunnerMatchesLocalRunner(t *testing.T) {
	_, lc := serve(t, calculator())
	runner := cloud.NewRunner(lc, "calculator")
	if runner.Function() != "calculator:live" {
		t.Errorf("Function() = %q, want calculator:live", runner.Function())
	}
	local := harness.NewLocalRunner(durable.Handle(function.Handler))
	for _, input := range []string{`{"num1":10,"num2":5}`, `{"num1":10,"num2":0}`, `{}`, `{"num1":"ten"}`} {
		for _, async := range []bool{false, true} {
			got, err := cloud.NewRunner(lc, "calculator", cloud.WithAsync(async)).RunJSON(testCtx(t), input)
			if err != nil {
				t.Fatalf("%s: %v", input, err)
			}
			want, err := local.RunJSON(testCtx(t), input)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != want.Status || aws.ToString(got.Output) != aws.ToString(want.Output) || got.Input != input {
				t.Errorf("%s: got %s %s, want %s %s", input, got.Status, aws.ToString(got.Output), want.Status, aws.ToString(want.Output))
			}
			if !errorEqual(got.Error, want.Error) {
				t.Errorf("%s: error %+v, want %+v", input, got.Error, want.Error)
			}
			if g, w := got.SignatureString(), want.SignatureString(); g != w {
				t.Errorf("%s: operations\n%s\nwant\n%s", input, g, w)
			}
			if len(got.Invocations) != len(want.Invocations) || len(got.History) != len(want.History) {
				t.Errorf("%s: %d invocations %d events, want %d and %d", input, len(got.Invocations), len(got.History), len(want.Invocations), len(want.History))
			}
			if !strings.HasPrefix(got.Name, "dpcheck-") || !strings.Contains(got.Arn, "/durable-execution/"+got.Name+"/") {
				t.Errorf("%s: execution name %q, ARN %s", input, got.Name, got.Arn)
			}
		}
	}
}

func errorEqual(a, b *types.ErrorObject) bool {
	if a == nil || b == nil {
		return a == b
	}
	return aws.ToString(a.ErrorType) == aws.ToString(b.ErrorType) && aws.ToString(a.ErrorMessage) == aws.ToString(b.ErrorMessage)
}

// Every page of the history is read, in order.
func TestRunnerReadsEveryHistoryPage(t *testing.T) {
	srv, lc := serve(t, calculator())
	res, err := cloud.NewRunner(lc, "calculator:$LATEST", cloud.WithPageSize(2)).Run(testCtx(t), map[string]int{"num1": 3, "num2": 4})
	if err != nil {
		t.Fatal(err)
	}
	all, err := srv.Backend().GetDurableExecutionHistory(testCtx(t), &lambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(res.Arn), MaxItems: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.History) != len(all.Events) || len(all.Events) < 10 {
		t.Fatalf("read %d events, the execution has %d", len(res.History), len(all.Events))
	}
	for i, ev := range res.History {
		if aws.ToInt32(ev.EventId) != int32(i+1) {
			t.Fatalf("event %d has EventId %d", i, aws.ToInt32(ev.EventId))
		}
	}
}

// blocker's step blocks until release is closed.
func blocker(entered chan<- struct{}, release <-chan struct{}) emulator.Function {
	return emulator.Function{Name: "blocker", Invoker: durable.Handle(func(ctx durable.Context, _ any) (string, error) {
		return durable.Step(ctx, "block", func(durable.StepContext) (string, error) {
			entered <- struct{}{}
			<-release
			return "released", nil
		})
	})}
}

// An Event invoke is polled with doubling intervals until the execution
// ends.
func TestRunnerPollsAnEventInvoke(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	srv, lc := serve(t, blocker(entered, release))
	var slept []time.Duration
	now := time.Unix(0, 0)
	sleep := func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		now = now.Add(d)
		if len(slept) == 3 {
			<-entered
			close(release)
			// The clock is fake, the server real: let the execution end.
			return srv.Wait(ctx, srv.Backend().Executions()[0])
		}
		return nil
	}
	res, err := cloud.NewRunner(lc, "blocker", cloud.WithAsync(true), cloud.WithPolling(time.Second, 4*time.Second),
		cloud.WithClock(func() time.Time { return now }, sleep)).Run(testCtx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != types.ExecutionStatusSucceeded || aws.ToString(res.Output) != `"released"` {
		t.Errorf("got %s %s", res.Status, aws.ToString(res.Output))
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !slices.Equal(slept, want) {
		t.Errorf("poll intervals %v, want %v", slept, want)
	}
}

// An execution that outlasts the timeout is reported, with its ARN and
// status, and the Result so far.
func TestRunnerTimesOut(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	_, lc := serve(t, blocker(entered, release))
	t.Cleanup(func() { close(release) })
	now := time.Unix(0, 0)
	var slept []time.Duration
	sleep := func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		now = now.Add(d)
		return nil
	}
	res, err := cloud.NewRunner(lc, "blocker", cloud.WithAsync(true), cloud.WithTimeout(10*time.Second),
		cloud.WithClock(func() time.Time { return now }, sleep)).Run(testCtx(t), nil)
	var timeout *cloud.TimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("got %v, want a TimeoutError", err)
	}
	if timeout.Status != types.ExecutionStatusRunning || res == nil || res.Arn != timeout.Arn || !strings.Contains(err.Error(), timeout.Arn) {
		t.Errorf("timeout %+v, result %+v", timeout, res)
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
	if !slices.Equal(slept, want) {
		t.Errorf("slept %v, want %v (the next 5 s would pass the 10 s bound)", slept, want)
	}
}

func TestRunnerErrors(t *testing.T) {
	_, lc := serve(t, calculator())
	_, err := cloud.NewRunner(lc, "nosuch").Run(testCtx(t), nil)
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.HasPrefix(err.Error(), "cloud: invoke nosuch:live") {
		t.Errorf("got %v, want a ResourceNotFoundException from cloud: invoke", err)
	}
	named := cloud.NewRunner(lc, "calculator", cloud.WithExecutionName("fixed-name"))
	first, err := named.Run(testCtx(t), map[string]int{"num1": 1})
	if err != nil {
		t.Fatal(err)
	}
	again, err := named.Run(testCtx(t), map[string]int{"num1": 1})
	if err != nil || again.Arn != first.Arn {
		t.Errorf("same name and input: %v, ARN %s then %s", err, first.Arn, again.Arn)
	}
	_, err = named.Run(testCtx(t), map[string]int{"num1": 2})
	var started *types.DurableExecutionAlreadyStartedException
	if !errors.As(err, &started) {
		t.Errorf("same name, other input: got %v", err)
	}
}

func TestTargetRunsRequirements(t *testing.T) {
	greet := durable.Handle(func(ctx durable.Context, name string) (string, error) {
		return durable.Step(ctx, "greet", func(durable.StepContext) (string, error) { return "Hello, " + name + "!", nil })
	})
	_, lc := serve(t,
		emulator.Function{Name: cloud.FunctionName("demo/1-1"), Invoker: greet},
		emulator.Function{Name: "deployed-greeter", Invoker: greet})
	target := &cloud.Target{Client: lc, Functions: map[string]string{"other/*": "deployed-greeter"}}
	for _, key := range []string{"demo/1-1", "other/2-7"} {
		exec, err := target.Run(testCtx(t), conformance.Request{Key: key, Input: []byte(`"World"`), Name: "req-" + strings.ReplaceAll(key, "/", "-")})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if exec.Status != "SUCCEEDED" || exec.Result != `"Hello, World!"` || len(exec.History) == 0 {
			t.Errorf("%s: %+v", key, exec)
		}
	}
	if got := cloud.FunctionName("wait_for_callback/7-1.b"); got != "wait_for_callback--7-1_b" {
		t.Errorf("FunctionName = %q", got)
	}
}

func TestReadEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want cloud.Env
		err  string
	}{
		{env: map[string]string{}, want: cloud.Env{Target: "local", Functions: map[string]string{}}},
		{env: map[string]string{"DPCHECK_TARGET": "endpoint", "DPCHECK_ENDPOINT": "http://127.0.0.1:9000", "DPCHECK_FUNCTIONS": "calculator=calc-X, step/*=steps"},
			want: cloud.Env{Target: "endpoint", Endpoint: "http://127.0.0.1:9000", Functions: map[string]string{"calculator": "calc-X", "step/*": "steps"}}},
		{env: map[string]string{"DPCHECK_TARGET": "aws", "DPCHECK_QUALIFIER": "$LATEST"}, want: cloud.Env{Target: "aws", Qualifier: "$LATEST", Functions: map[string]string{}}},
		{env: map[string]string{"DPCHECK_TARGET": "endpoint"}, err: "needs DPCHECK_ENDPOINT"},
		{env: map[string]string{"DPCHECK_TARGET": "cloud"}, err: `"cloud" is not local, endpoint or aws`},
		{env: map[string]string{"DPCHECK_FUNCTIONS": "calculator"}, err: "not NAME=DEPLOYED"},
	}
	for _, tc := range cases {
		for _, k := range []string{"DPCHECK_TARGET", "DPCHECK_ENDPOINT", "DPCHECK_QUALIFIER", "DPCHECK_FUNCTIONS"} {
			t.Setenv(k, tc.env[k])
		}
		got, err := cloud.ReadEnv()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: got %v, want an error with %q", tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || got.Target != tc.want.Target || got.Endpoint != tc.want.Endpoint || got.Qualifier != tc.want.Qualifier || len(got.Functions) != len(tc.want.Functions) {
			t.Errorf("%v: got %+v %v, want %+v", tc.env, got, err, tc.want)
		}
		for k, v := range tc.want.Functions {
			if got.Functions[k] != v || got.Deployed(k) != v {
				t.Errorf("%v: function %s -> %q", tc.env, k, got.Functions[k])
			}
		}
	}
}

// The runner from the environment reaches an endpoint through the default
// AWS configuration, with no credentials configured.
func TestEnvRunnerReachesEndpoint(t *testing.T) {
	srv, _ := serve(t, calculator())
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_REGION", "")
	env := cloud.Env{Target: cloud.TargetEndpoint, Endpoint: srv.URL(), Qualifier: "live", Functions: map[string]string{"calc": "calculator"}}
	runner, err := env.Runner(testCtx(t), "calc")
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(testCtx(t), map[string]int{"num1": 10, "num2": 5})
	if err != nil || aws.ToString(res.Output) != `{"Add":15,"Subtract":5,"Multiply":50,"Division":2}` {
		t.Fatalf("got %v %v", res, err)
	}
	env.Functions["calculator/*"] = "calculator"
	target, err := env.ConformanceTarget(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	exec, err := target.Run(testCtx(t), conformance.Request{Key: "calculator/success", Input: []byte(`{"num1":1,"num2":1}`), Name: "env-target"})
	if err != nil || exec.Status != "SUCCEEDED" || !strings.Contains(exec.Result, `"Division":1`) {
		t.Fatalf("target: %+v %v", exec, err)
	}
}
