package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Executions of BenchmarkEmulatorRSS, and the bound serve runs with.
const (
	rssExecutions    = 20000
	rssFirst         = 1000
	rssMaxExecutions = 1000
)

// BenchmarkEmulatorRSS: the resident memory of a `dpcheck serve` process
// (the command, built as users run it, with the real bootstrap as its
// calculator) after 1,000 and after 20,000 sequential calculator
// executions through the aws-sdk-go-v2 client, with --max-executions 1000.
// Past the first thousand, eviction must keep memory flat: the figure is
// the RSS after 20,000, and the ratio of the two. It is one fixed
// workload, whatever b.N says.
func BenchmarkEmulatorRSS(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc to read a process's resident memory")
	}
	serve := startServe(b, "--addr", "127.0.0.1:0", "--quiet", "--max-instances", "1",
		"--max-executions", fmt.Sprint(rssMaxExecutions), "--function", "calculator="+bootstrap(b))
	lc, closeIdle := lambdaClient(serve.url)
	defer closeIdle()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	var first float64
	b.ResetTimer()
	for i := range rssExecutions {
		out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("calculator:live"), Payload: []byte(calculatorInputs[i%2])})
		if err != nil {
			b.Fatalf("execution %d: %v", i, err)
		}
		if out.FunctionError != nil {
			b.Fatalf("execution %d: function error %s: %s", i, *out.FunctionError, out.Payload)
		}
		if i+1 == rssFirst {
			first = residentMB(b, serve.cmd.Process.Pid)
		}
	}
	b.StopTimer()
	last := residentMB(b, serve.cmd.Process.Pid)
	b.ReportMetric(last, "rss-after-20k-MB")
	b.ReportMetric(first, "rss-after-1k-MB")
	b.ReportMetric(last/first, "rss-20k-over-1k")
	b.ReportMetric(float64(rssExecutions)/b.Elapsed().Seconds(), "exec/s")
}

// residentMB is a process's resident set size (VmRSS) in MB.
func residentMB(b *testing.B, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatalf("VmRSS %q: %v", rest, err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// served is a running `dpcheck serve`.
type served struct {
	cmd *exec.Cmd
	url string
}

// startServe builds the dpcheck command once and runs `dpcheck serve` with
// args until the benchmark ends (SIGINT, then the process is reaped).
func startServe(b *testing.B, args ...string) *served {
	b.Helper()
	cmd := exec.Command(dpcheckCommand(b), append([]string{"serve"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "dpcheck serve: listening on ")
	if err != nil || !ok {
		b.Fatalf("dpcheck serve said %q (%v); stderr %s", line, err, stderr.String())
	}
	go func() { _, _ = bufio.NewReader(stdout).WriteTo(discard{}) }()
	return &served{cmd: cmd, url: url}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

var (
	dpcheckOnce sync.Once
	dpcheckBin  string
	dpcheckErr  error
)

// dpcheckCommand builds the dpcheck command once per test binary into
// buildDir and returns its path.
func dpcheckCommand(b *testing.B) string {
	b.Helper()
	dir := buildDir(b)
	dpcheckOnce.Do(func() {
		dpcheckBin = filepath.Join(dir, "dpcheck")
		cmd := exec.Command("go", "build", "-trimpath", "-o", dpcheckBin, "github.com/dpcheck/dpcheck/harness/cmd/dpcheck")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			dpcheckErr = fmt.Errorf("bench: building dpcheck: %w\n%s", err, out.String())
		}
	})
	if dpcheckErr != nil {
		b.Fatal(dpcheckErr)
	}
	return dpcheckBin
}
