package emulator_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"go.uber.org/goleak"

	"github.com/dpcheck/dpcheck/harness/emulator"
)

func TestMain(m *testing.M) {
	if name := os.Getenv(testBootstrapEnv); name != "" {
		runTestBootstrap(name) // this process is a function the emulator started; never returns
	}
	code := m.Run()
	if bootstrapDir != "" {
		os.RemoveAll(bootstrapDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goroutine leak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

// start runs an emulator for the test and returns it with a lambda client
// pointed at it; both are closed when the test ends.
func start(t testing.TB, cfg emulator.Config) (*emulator.Server, *lambda.Client) {
	t.Helper()
	if testing.Verbose() && cfg.Output == nil {
		cfg.Output = testWriter{t}
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv, client(t, srv.URL())
}

// client is a real aws-sdk-go-v2 lambda client for url, without retries so
// each error is the server's first answer.
func client(t testing.TB, url string) *lambda.Client {
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(transport.CloseIdleConnections)
	return lambda.New(lambda.Options{
		BaseEndpoint: aws.String(url),
		Region:       "us-east-1",
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   &http.Client{Transport: transport, Timeout: time.Minute},
		Retryer:      retry.AddWithMaxAttempts(retry.NewStandard(), 1),
	})
}

var (
	bootstrapOnce sync.Once
	bootstrapDir  string
	bootstrapBin  string
	bootstrapErr  error
)

// bootstrap builds the calculator's real Lambda bootstrap once per test
// binary, as `make build` does (static, lambda.norpc), and returns its path.
func bootstrap(t testing.TB) string {
	t.Helper()
	bootstrapOnce.Do(func() {
		bootstrapDir, bootstrapErr = os.MkdirTemp("", "dpcheck-emulator-")
		if bootstrapErr != nil {
			return
		}
		bootstrapBin = filepath.Join(bootstrapDir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bootstrapBin, "github.com/dpcheck/dpcheck/function/cmd/bootstrap")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			bootstrapErr = &buildError{err: err, output: out.String()}
		}
	})
	if bootstrapErr != nil {
		t.Fatalf("building the bootstrap: %v", bootstrapErr)
	}
	return bootstrapBin
}

type buildError struct {
	err    error
	output string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.output }

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}
