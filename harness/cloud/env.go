package cloud

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/internal/keepalive"
)

// Targets a spec or conformance run can use.
const (
	TargetLocal    = "local"    // the in-process fake (harness.LocalRunner); this package is not involved
	TargetEndpoint = "endpoint" // a Lambda API at DPCHECK_ENDPOINT, e.g. dpcheck serve
	TargetAWS      = "aws"      // the real service, with the default AWS configuration
)

// Env is the target a run was pointed at through the environment:
//
//	DPCHECK_TARGET     local (default), endpoint or aws
//	DPCHECK_ENDPOINT   the Lambda API URL, required for endpoint
//	DPCHECK_QUALIFIER  alias or version to invoke; unset, runners invoke
//	                   the template's alias live and conformance targets
//	                   $LATEST, the qualifier the official runner invokes
//	DPCHECK_FUNCTIONS  NAME=DEPLOYED pairs, comma-separated: the deployed
//	                   name of each function (a stack gives generated names);
//	                   a NAME may be a conformance key suite/id or suite/*
type Env struct {
	Target    string
	Endpoint  string
	Qualifier string
	Functions map[string]string
}

// ReadEnv reads the target from the environment.
func ReadEnv() (Env, error) {
	e := Env{
		Target:    os.Getenv("DPCHECK_TARGET"),
		Endpoint:  os.Getenv("DPCHECK_ENDPOINT"),
		Qualifier: os.Getenv("DPCHECK_QUALIFIER"),
		Functions: map[string]string{},
	}
	if e.Target == "" {
		e.Target = TargetLocal
	}
	switch e.Target {
	case TargetLocal, TargetAWS:
	case TargetEndpoint:
		if e.Endpoint == "" {
			return e, fmt.Errorf("cloud: DPCHECK_TARGET=endpoint needs DPCHECK_ENDPOINT (e.g. http://127.0.0.1:9000)")
		}
	default:
		return e, fmt.Errorf("cloud: DPCHECK_TARGET=%q is not local, endpoint or aws", e.Target)
	}
	for _, pair := range strings.Split(os.Getenv("DPCHECK_FUNCTIONS"), ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, deployed, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || name == "" || deployed == "" {
			return e, fmt.Errorf("cloud: DPCHECK_FUNCTIONS entry %q is not NAME=DEPLOYED", pair)
		}
		e.Functions[name] = deployed
	}
	return e, nil
}

// Remote reports whether the target goes through the Lambda API.
func (e Env) Remote() bool { return e.Target != TargetLocal }

// Deployed is the deployed name of a function: its DPCHECK_FUNCTIONS
// entry, or the name itself.
func (e Env) Deployed(name string) string {
	if d, ok := e.Functions[name]; ok {
		return d
	}
	return name
}

// Client builds the lambda client for the target: the default AWS
// configuration (config.LoadDefaultConfig), with the endpoint as
// BaseEndpoint for TargetEndpoint.
func (e Env) Client(ctx context.Context) (*lambda.Client, error) {
	switch e.Target {
	case TargetEndpoint:
		return NewClient(ctx, e.Endpoint)
	case TargetAWS:
		return NewClient(ctx, "")
	}
	return nil, fmt.Errorf("cloud: target %q does not use the Lambda API", e.Target)
}

// Runner returns a runner for the named function on the target.
func (e Env) Runner(ctx context.Context, name string, opts ...Option) (*Runner, error) {
	client, err := e.Client(ctx)
	if err != nil {
		return nil, err
	}
	opts = append([]Option{WithQualifier(e.qualifier("live"))}, opts...)
	return NewRunner(client, e.Deployed(name), opts...), nil
}

// ConformanceTarget returns a conformance target on the environment's
// endpoint or AWS, with its qualifier ($LATEST unless DPCHECK_QUALIFIER
// says otherwise) and DPCHECK_FUNCTIONS mapping. On an endpoint it reads
// the functions' output from dpcheck's emulator for ExpectedLogs.
func (e Env) ConformanceTarget(ctx context.Context, opts ...Option) (*Target, error) {
	client, err := e.Client(ctx)
	if err != nil {
		return nil, err
	}
	opts = append([]Option{WithQualifier(e.qualifier("$LATEST"))}, opts...)
	t := &Target{Client: client, Functions: e.Functions, Options: opts}
	if e.Target == TargetEndpoint {
		t.PollInterval = 100 * time.Millisecond // an emulator answers at once
		t.Emulator = e.Endpoint
	}
	return t, nil
}

// qualifier is DPCHECK_QUALIFIER, or def when it is not set.
func (e Env) qualifier(def string) string {
	if e.Qualifier == "" {
		return def
	}
	return e.Qualifier
}

// NewClient builds a lambda client from the default AWS configuration. A
// non-empty endpoint (an emulator) becomes its BaseEndpoint; without
// configured credentials or region the client then signs nothing and uses
// us-east-1, since the emulator checks neither. Its request bodies go out
// from memory, so it keeps its connections (internal/keepalive).
func NewClient(ctx context.Context, endpoint string) (*lambda.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if endpoint != "" {
		// No instance metadata lookups (slow or hanging off EC2) for a
		// local endpoint.
		opts = append(opts, awsconfig.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("cloud: loading the AWS configuration: %w", err)
	}
	if endpoint == "" {
		return lambda.NewFromConfig(cfg, keepalive.LambdaOption), nil
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Credentials == nil {
		cfg.Credentials = aws.AnonymousCredentials{}
	} else if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		cfg.Credentials = aws.AnonymousCredentials{}
	}
	return lambda.NewFromConfig(cfg, keepalive.LambdaOption, func(o *lambda.Options) { o.BaseEndpoint = aws.String(endpoint) }), nil
}
