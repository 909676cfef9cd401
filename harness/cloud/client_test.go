package cloud_test

import (
	"context"
	"testing"

	"github.com/dpcheck/dpcheck/harness/cloud"
	"github.com/dpcheck/dpcheck/internal/keepalive"
)

// The harness's Lambda client sends its bodies from memory, so net/http
// keeps its connections, for the real service and an emulator alike.
func TestNewClientKeepsConnections(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, endpoint := range []string{"", "http://127.0.0.1:9"} {
		c, err := cloud.NewClient(context.Background(), endpoint)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Options().HTTPClient.(keepalive.Client); !ok {
			t.Errorf("endpoint %q: HTTP client %T, want keepalive.Client", endpoint, c.Options().HTTPClient)
		}
	}
}
