package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dpcheck/dpcheck/harness/conformance"
)

// shardSpec is --shard K/N; the zero value runs everything.
type shardSpec struct{ k, n int }

func parseShard(text string) (shardSpec, error) {
	if text == "" {
		return shardSpec{}, nil
	}
	ks, ns, ok := strings.Cut(text, "/")
	k, kerr := strconv.Atoi(ks)
	n, nerr := strconv.Atoi(ns)
	if !ok || kerr != nil || nerr != nil {
		return shardSpec{}, fmt.Errorf("--shard %q: want K/N, two integers such as 2/4", text)
	}
	if n < 1 || k < 1 || k > n {
		return shardSpec{}, fmt.Errorf("--shard %q: want 1 <= K <= N", text)
	}
	return shardSpec{k, n}, nil
}

// pick keeps the requirements whose position leaves k-1 modulo n: dealing
// them round-robin keeps each slice a mix of suites, so slices take similar
// times.
func (s shardSpec) pick(reqs []*conformance.Requirement) []*conformance.Requirement {
	if s.n == 0 {
		return reqs
	}
	var out []*conformance.Requirement
	for i, r := range reqs {
		if i%s.n == s.k-1 {
			out = append(out, r)
		}
	}
	return out
}

// runInOrder runs the requirements on up to workers goroutines and yields
// the outcomes in the requirements' order, each as soon as it and all before
// it are done.
func runInOrder(r *conformance.Runner, reqs []*conformance.Requirement, workers int) iter.Seq[conformance.Outcome] {
	return func(yield func(conformance.Outcome) bool) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make([]chan conformance.Outcome, len(reqs))
		for i := range done {
			done[i] = make(chan conformance.Outcome, 1)
		}
		next := make(chan int)
		var wg sync.WaitGroup
		for range min(workers, len(reqs)) {
			wg.Go(func() {
				for i := range next {
					done[i] <- r.Run(ctx, reqs[i])
				}
			})
		}
		go func() {
			defer close(next)
			for i := range reqs {
				select {
				case next <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
		defer wg.Wait()
		for i := range reqs {
			if !yield(<-done[i]) {
				return
			}
		}
	}
}

// allowList is the --allow-skip file: requirement key to the reason given.
type allowList map[string]string

func readAllowSkip(path string) (allowList, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--allow-skip: %v", err)
	}
	defer f.Close()
	list := allowList{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, reason, _ := strings.Cut(text, " ")
		reason = strings.TrimSpace(reason)
		suite, id, ok := strings.Cut(key, "/")
		switch {
		case !ok || suite == "" || id == "":
			return nil, fmt.Errorf("--allow-skip %s:%d: %q is not a requirement key suite/id", path, line, key)
		case reason == "":
			return nil, fmt.Errorf("--allow-skip %s:%d: %s has no reason (want \"suite/id reason\")", path, line, key)
		case list[key] != "":
			return nil, fmt.Errorf("--allow-skip %s:%d: %s is listed twice", path, line, key)
		}
		list[key] = reason
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--allow-skip %s: %v", path, err)
	}
	return list, nil
}

// report prints the skips the list does not excuse and the entries that no
// longer skip, and returns how many skips are not excused.
func (l allowList) report(w io.Writer, path string, outs []conformance.Outcome) int {
	var unexcused, stale []string
	excused := 0
	for i := range outs {
		key := outs[i].Requirement.Key()
		_, listed := l[key]
		switch {
		case outs[i].Verdict == conformance.Skip && listed:
			excused++
		case outs[i].Verdict == conformance.Skip:
			unexcused = append(unexcused, key)
		case listed:
			stale = append(stale, key)
		}
	}
	if excused > 0 {
		fmt.Fprintf(w, "%d skipped as %s allows\n", excused, path)
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		fmt.Fprintf(w, "listed in %s but not skipped (stale entries): %s\n", path, strings.Join(stale, ", "))
	}
	if len(unexcused) > 0 {
		fmt.Fprintf(w, "not run, and no --allow-skip entry excuses it: %s\n", strings.Join(unexcused, ", "))
	}
	return len(unexcused)
}
