package bench

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bootstrapDir != "" {
		os.RemoveAll(bootstrapDir)
	}
	os.Exit(code)
}
