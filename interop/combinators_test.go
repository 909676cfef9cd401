package interop_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/harness/emulator"
)

// knownCombinatorDifferences are the ways the JS SDK's combinator
// histories differ from durable's, with why; the comparison removes them
// first, and nothing else may differ.
var knownCombinatorDifferences = []string{
	`AllSettled's record: a rejected reason carries "stack", a JavaScript stack trace (paths of the Node process); a Go runtime has none, so durable records message and name only`,
}

// TestCombinatorHistoriesMatchJS runs each promise-combinator handler of
// interop/js/functions (the official JavaScript SDK 2.4.0) and its Go twin
// (combinator_handlers_test.go) under one emulator and compares the two
// histories event by event: per operation, its events in order with their
// types, names, sub-types, parents and details, and the execution's own
// events. Ids differ by construction (the JS SDK hashes positions with
// MD5, durable with FNV-1a), so both are mapped back to positions first.
func TestCombinatorHistoriesMatchJS(t *testing.T) {
	bootstrap := jsBootstrap(t)
	var fns []emulator.Function
	names := slices.Sorted(mapsKeys(goCombinators))
	for _, n := range names {
		fns = append(fns, emulator.Function{Name: n, Executable: bootstrap}, emulator.Function{Name: "go-" + n, Invoker: goCombinators[n]})
	}
	srv, err := emulator.New(emulator.Config{Functions: fns})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	lc, err := cloud.NewClient(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range knownCombinatorDifferences {
		t.Logf("known difference: %s", d)
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			js, err := cloud.NewRunner(lc, n).RunJSON(ctx, `{}`)
			if err != nil {
				t.Fatal(err)
			}
			goRes, err := cloud.NewRunner(lc, "go-"+n).RunJSON(ctx, `{}`)
			if err != nil {
				t.Fatal(err)
			}
			want, err := normalize(js.History, jsID)
			if err != nil {
				t.Fatalf("JS history: %v", err)
			}
			got, err := normalize(goRes.History, goID)
			if err != nil {
				t.Fatalf("Go history: %v", err)
			}
			if d := diffHistories(want, got); d != "" {
				t.Errorf("histories differ:\n%s", d)
			}
			t.Logf("%d events, %d operations match", len(js.History), len(want)-1)
		})
	}
}

// jsBootstrap is the Node Lambda runtime of interop/js, or a skip when
// Node or the SDK's packages (make interop-deps) are missing.
func jsBootstrap(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the combinator interop needs Node 20")
	}
	if _, err := os.Stat("js/node_modules/@aws/durable-execution-sdk-js"); err != nil {
		t.Skip("interop/js/node_modules is missing: run make interop-deps")
	}
	p, err := filepath.Abs("js/bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// jsID is the JS SDK's id of a positional path: MD5, 16 hex characters.
func jsID(path string) string {
	sum := md5.Sum([]byte(path))
	return hex.EncodeToString(sum[:])[:16]
}

func goID(path string) string {
	parent, n := "", path
	if i := strings.LastIndexByte(path, '-'); i >= 0 {
		parent, n = path[:i], path[i+1:]
	}
	k, _ := strconv.Atoi(n)
	id, _ := durable.ChildOperationID(parent, k)
	return id
}

// normalize groups a history's events by operation position ("" for the
// execution's own events), each event reduced to what both SDKs must agree
// on: no event ids, timestamps, request ids, stack traces or execution
// names, ids replaced by positions, JSON payloads compared as values.
func normalize(history []types.Event, idOf func(string) string) (map[string][]string, error) {
	paths := positions(history, idOf)
	out := map[string][]string{}
	for _, ev := range history {
		raw, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		key := ""
		if ev.ParentId != nil || ev.SubType != nil {
			p, ok := paths[deref(ev.Id)]
			if !ok {
				return nil, fmt.Errorf("event %d: id %s is at no position", deref(ev.EventId), deref(ev.Id))
			}
			key = p
			m["Id"] = p
			if ev.ParentId != nil {
				m["ParentId"] = paths[*ev.ParentId]
			}
		} else {
			delete(m, "Id")
			delete(m, "Name")
		}
		delete(m, "EventId")
		delete(m, "EventTimestamp")
		scrub(m)
		b, _ := json.Marshal(m)
		out[key] = append(out[key], string(b))
	}
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// positions maps each operation id of history to its positional path,
// trying the first 64 children of every position found.
func positions(history []types.Event, idOf func(string) string) map[string]string {
	ids := map[string]bool{}
	for _, ev := range history {
		if ev.SubType != nil {
			ids[deref(ev.Id)] = true
		}
	}
	paths := map[string]string{}
	frontier := []string{""}
	for len(frontier) > 0 {
		parent := frontier[0]
		frontier = frontier[1:]
		for n := 1; n <= 64; n++ {
			p := strconv.Itoa(n)
			if parent != "" {
				p = parent + "-" + p
			}
			if id := idOf(p); ids[id] {
				paths[id] = p
				frontier = append(frontier, p)
			}
		}
	}
	return paths
}

// scrub removes what differs by construction from a decoded event, and
// parses JSON payloads so key order does not matter.
func scrub(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if val == nil {
				delete(x, k)
				continue
			}
			switch k {
			case "StackTrace", "stack", "RequestId", "StartTimestamp", "EndTimestamp", "ScheduledEndTimestamp":
				delete(x, k)
				continue
			case "Payload":
				if s, ok := val.(string); ok {
					var parsed any
					if json.Unmarshal([]byte(s), &parsed) == nil {
						scrub(parsed)
						x[k] = parsed
						continue
					}
				}
			}
			scrub(val)
		}
	case []any:
		for _, e := range x {
			scrub(e)
		}
	}
}

// diffHistories lists every position whose events differ.
func diffHistories(want, got map[string][]string) string {
	var b strings.Builder
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	for _, k := range slices.Sorted(mapsKeys(keys)) {
		if !reflect.DeepEqual(want[k], got[k]) {
			fmt.Fprintf(&b, "position %q:\n  JS: %s\n  Go: %s\n", k, strings.Join(want[k], "\n      "), strings.Join(got[k], "\n      "))
		}
	}
	return b.String()
}
