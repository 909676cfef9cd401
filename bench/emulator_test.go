package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/harness/emulator"
	"github.com/dpcheck/dpcheck/internal/conncount"
)

// BenchmarkEmulatorHTTPSeq: calculator executions through the emulator
// (what `dpcheck serve` runs) and the real bootstrap as its function
// process, each a synchronous Invoke from one aws-sdk-go-v2 client waiting
// for the previous one.
func BenchmarkEmulatorHTTPSeq(b *testing.B) { benchEmulator(b, 1) }

// BenchmarkEmulatorHTTPC8: the same with 8 clients invoking at once
// (the emulator's default 8 function processes).
func BenchmarkEmulatorHTTPC8(b *testing.B) { benchEmulator(b, 8) }

func benchEmulator(b *testing.B, clients int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	conns := conncount.New(ln)
	srv, err := emulator.New(emulator.Config{
		Listener:  conns,
		Functions: []emulator.Function{{Name: "calculator", Executable: bootstrap(b)}},
	})
	if err != nil {
		ln.Close()
		b.Fatal(err)
	}
	closed := false
	closeServer := func() {
		closed = true
		if err := srv.Close(); err != nil {
			b.Errorf("closing the emulator: %v", err)
		}
	}
	defer func() {
		if !closed {
			closeServer()
		}
	}()
	lc, closeIdle := lambdaClient(srv.URL())
	defer closeIdle()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	invoke := func(i int64) error {
		out, err := lc.Invoke(ctx, &lambda.InvokeInput{
			FunctionName: aws.String("calculator:$LATEST"),
			Payload:      []byte(calculatorInputs[i%2]),
		})
		if err != nil {
			return err
		}
		if out.FunctionError != nil {
			return fmt.Errorf("function error %s: %s", *out.FunctionError, out.Payload)
		}
		return nil
	}
	// Start every client's function process before timing: a cold start
	// is a one-off, not a per-execution cost.
	if err := fanInvoke(clients, int64(clients), invoke); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
	b.ResetTimer()
	cpu0 := cpuTime(self)
	conns0 := conns.Accepted()
	if err := fanInvoke(clients, int64(b.N), invoke); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exec/s")
	// Connections the emulator accepted while timed, from the clients and
	// the function processes' checkpoint clients: with keep-alive working
	// every one of them reuses the connection the warm-up opened.
	b.ReportMetric(float64(conns.Accepted()-conns0)*1000/float64(b.N), "new-conns/1k-exec")

	// CPU time per execution, which other processes on a busy machine
	// disturb less than wall time: this process's (the emulator and the
	// SDK clients) and the function processes', known once Close has
	// reaped them (their start and warm-up included).
	emulatorCPU := cpuTime(self) - cpu0
	children0 := cpuTime(children)
	closeServer()
	if emulatorCPU > 0 {
		perExec := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(b.N) }
		functionCPU := cpuTime(children) - children0
		b.ReportMetric(perExec(emulatorCPU), "emulator+client-cpu-ms/exec")
		b.ReportMetric(perExec(functionCPU), "function-cpu-ms/exec")
		b.ReportMetric(perExec(emulatorCPU+functionCPU), "cpu-ms/exec")
	}
}

// fanInvoke makes n invocations from the given number of concurrent
// clients, each taking the next index until n are done, and returns the
// first error.
func fanInvoke(clients int, n int64, invoke func(int64) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < n; i = next.Add(1) - 1 {
				if err := invoke(i); err != nil {
					errs[c] = fmt.Errorf("invocation %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// lambdaClient is a real aws-sdk-go-v2 Lambda client for the emulator at
// url: dummy credentials, no retries (an error is the server's first
// answer), enough idle connections for every client.
func lambdaClient(url string) (*lambda.Client, func()) {
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	return lambda.New(lambda.Options{
		BaseEndpoint: aws.String(url),
		Region:       "us-east-1",
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   &http.Client{Transport: transport, Timeout: time.Minute},
		Retryer:      retry.AddWithMaxAttempts(retry.NewStandard(), 1),
	}), transport.CloseIdleConnections
}

var (
	buildDirOnce  sync.Once
	bootstrapDir  string // the binaries the benchmarks build; TestMain removes it
	buildDirErr   error
	bootstrapOnce sync.Once
	bootstrapBin  string
	bootstrapErr  error
)

// buildDir makes the temporary directory the benchmarks build their
// binaries into, once per test binary.
func buildDir(b *testing.B) string {
	b.Helper()
	buildDirOnce.Do(func() { bootstrapDir, buildDirErr = os.MkdirTemp("", "dpcheck-bench-") })
	if buildDirErr != nil {
		b.Fatal(buildDirErr)
	}
	return bootstrapDir
}

// bootstrap builds the calculator's real Lambda bootstrap once per test
// binary, as `make build` does (static, lambda.norpc, for this machine),
// into buildDir; BENCH_BOOTSTRAP names one built already (see the package
// doc).
func bootstrap(b *testing.B) string {
	b.Helper()
	if path := os.Getenv("BENCH_BOOTSTRAP"); path != "" {
		return path
	}
	dir := buildDir(b)
	bootstrapOnce.Do(func() {
		bootstrapBin = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrapBin, "github.com/dpcheck/dpcheck/function/cmd/bootstrap")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			bootstrapErr = fmt.Errorf("bench: building the bootstrap: %w\n%s", err, out.String())
		}
	})
	if bootstrapErr != nil {
		b.Fatal(bootstrapErr)
	}
	return bootstrapBin
}
