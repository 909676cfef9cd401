package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// checkUI reads the timelines dpcheck serve mounts at /ui/: the list links
// every execution, the newest first, and a calculator page with num2 0
// shows the failed division bar and the counts; /ui/ takes no POST.
func checkUI(t *testing.T, base string) {
	t.Helper()
	body := fetch(t, "GET", base+"/ui/", http.StatusOK)
	links := regexp.MustCompile(`href="(execution\?arn=[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(links) < 6 {
		t.Fatalf("/ui/ links %d executions, want the 6 invokes and the conform runs at least", len(links))
	}
	found := false
	for _, l := range links {
		page := fetch(t, "GET", base+"/ui/"+strings.ReplaceAll(l[1], "&amp;", "&"), http.StatusOK)
		if strings.Contains(page, `data-error-type="DivisionByZeroError"`) {
			found = true
			if !strings.Contains(page, `data-succeeded="3" data-failed="1"`) {
				t.Error("the division-by-zero page lacks the counts 3 / 1")
			}
		}
	}
	if !found {
		t.Error("no execution page shows the failed division bar")
	}
	// /ui/ is read-only and apart from the API: a POST gets the API's
	// unknown-operation answer.
	if body := fetch(t, "POST", base+"/ui/", http.StatusBadRequest); !strings.Contains(body, "UnknownOperationException") {
		t.Errorf("POST /ui/: %s", body)
	}
}

func fetch(t *testing.T, method, url string, want int) string {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %.200s", method, url, resp.StatusCode, want, b)
	}
	return string(b)
}
