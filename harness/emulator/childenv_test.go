package emulator

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestChildEnvRunsGoOnOneProcUnlessTheParentSaysOtherwise(t *testing.T) {
	procs := func() []string {
		var got []string
		for _, kv := range childEnv("calc", "/x/bootstrap", "us-east-1", "http://127.0.0.1:1", time.Minute) {
			if strings.HasPrefix(kv, "GOMAXPROCS=") {
				got = append(got, kv)
			}
		}
		return got
	}
	t.Setenv("GOMAXPROCS", "3") // restored after the test
	if got := procs(); !slices.Equal(got, []string{"GOMAXPROCS=3"}) {
		t.Errorf("parent GOMAXPROCS=3: child gets %q, want the parent's setting alone", got)
	}
	if err := os.Unsetenv("GOMAXPROCS"); err != nil {
		t.Fatal(err)
	}
	if got := procs(); !slices.Equal(got, []string{"GOMAXPROCS=1"}) {
		t.Errorf("parent without GOMAXPROCS: child gets %q, want GOMAXPROCS=1", got)
	}
}
