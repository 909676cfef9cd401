// Package bench holds dpcheck's performance figures: one Go benchmark per
// line of the README's performance table, and the table itself (Figures),
// which `make bench` (bench/cmd/benchreport) uses to turn `go test -bench`
// output into one `BENCH <name> <value> <unit>` line per figure.
//
// The figures and the benchmarks that measure them:
//
//	calculator-inprocess             BenchmarkCalculatorInprocess            exec/s
//	calculator-inprocess-gc200       BenchmarkCalculatorInprocessManyExecutionsGC  exec/s
//	calculator-crash-every-boundary  BenchmarkCalculatorCrashEveryBoundary   exec/s
//	emulator-http-seq                BenchmarkEmulatorHTTPSeq                exec/s
//	emulator-http-c8                 BenchmarkEmulatorHTTPC8                 exec/s
//	backend-bytes-per-execution      BenchmarkBackendBytesPerExecution       B
//	parallel-1000-branches           BenchmarkParallel1000Branches           ms
//	history-scaling                  BenchmarkHistoryScaling                 ratio
//	emulator-rss-after-20k           BenchmarkEmulatorRSS                    MB
//	emulator-rss-20k-over-1k         BenchmarkEmulatorRSS                    ratio
//
// Every value is measured by the benchmark and reported with
// testing.B.ReportMetric; nothing here is a timed test, so a plain
// `go test ./bench` runs no benchmark and does not depend on machine speed.
// The emulator figures build the calculator's real bootstrap
// (`go build -tags lambda.norpc`) into a temporary directory and run it as
// the emulator's function process, invoked through the aws-sdk-go-v2 Lambda
// client. BENCH_BOOTSTRAP names a bootstrap to run instead, built the same
// way: a profiler that reads the function process's symbols after the run
// needs its binary to outlive the benchmark, e.g.
//
//	go build -tags lambda.norpc -trimpath -o /tmp/bootstrap ./function/cmd/bootstrap
//	go test -c -o /tmp/bench.test ./bench
//	cd bench && BENCH_BOOTSTRAP=/tmp/bootstrap perf record -g -a -- /tmp/bench.test -test.run '^$' -test.bench EmulatorHTTPC8 -test.benchtime 3000x
//	perf report --comm bootstrap
package bench
