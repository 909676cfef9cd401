package durable

import (
	"context"
	"log"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/internal/keepalive"
)

// Start runs fn as a Lambda function with aws-lambda-go. Without WithClient
// it checkpoints through a lambda.Client built from the default AWS config.
// It never returns.
func Start[E, R any](fn func(Context, E) (R, error), opts ...Option) {
	var env Env
	for _, o := range opts {
		o(&env)
	}
	if env.Client == nil {
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			log.Fatalf("durable: load AWS config: %v", err)
		}
		// In-memory request bodies keep the client's connections alive
		// (see internal/keepalive): otherwise a checkpoint now and then
		// dials a new one.
		env.Client = lambda.NewFromConfig(cfg, keepalive.LambdaOption)
	}
	awslambda.Start(rawHandler(Wrap(fn, func(e *Env) { *e = env })))
}

// rawHandler passes the envelope bytes through untouched (aws-lambda-go
// would JSON-decode a typed handler's argument).
type rawHandler func(context.Context, []byte) ([]byte, error)

func (h rawHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return h(ctx, payload)
}
