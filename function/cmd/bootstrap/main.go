// Command bootstrap is the calculator's Lambda entry point for the
// provided.al2023 runtime. Build it static:
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -tags lambda.norpc -o bootstrap ./function/cmd/bootstrap
package main

import (
	"github.com/dpcheck/dpcheck/durable"
	"github.com/dpcheck/dpcheck/function"
)

func main() {
	durable.Start(function.Handler)
}
