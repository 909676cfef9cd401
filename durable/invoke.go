package durable

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// InvokeOption configures one Invoke.
type InvokeOption func(*invokeConfig)

type invokeConfig struct {
	tenantID      string
	payloadSerdes Serdes // nil: the handler's
	resultSerdes  Serdes // nil: the handler's
	payload       opSerdes
	result        opSerdes
}

// WithTenantID invokes the function for this tenant (ChainedInvokeOptions
// TenantId), for functions with tenant isolation.
func WithTenantID(id string) InvokeOption { return func(c *invokeConfig) { c.tenantID = id } }

// WithInvokePayloadSerdes sets how the input is serialized (default: the
// handler's Serdes).
func WithInvokePayloadSerdes(s Serdes) InvokeOption {
	return func(c *invokeConfig) { c.payloadSerdes = s }
}

// WithInvokeResultSerdes sets how the invoked function's result is read
// (default: the handler's Serdes); its Unmarshal gets the result as the
// service recorded it.
func WithInvokeResultSerdes(s Serdes) InvokeOption {
	return func(c *invokeConfig) { c.resultSerdes = s }
}

// Invoke calls another Lambda function, durable or not, and returns its
// result: a CHAINED_INVOKE operation whose START makes the service invoke
// functionName (a name, ARN or qualified name) with the serialized input.
// The invocation suspends until the invoked function finishes; the service
// then invokes this function again, and Invoke returns the result, or an
// *InvokeError when the function failed, timed out or was stopped. Until then
// it returns an error the caller should pass up unchanged. On replay a
// finished Invoke returns its recorded outcome without invoking anything.
//
// O comes first so that it alone can be given: Invoke[Reply](ctx, ...).
func Invoke[O, I any](ctx Context, name, functionName string, input I, opts ...InvokeOption) (O, error) {
	var zero O
	c, err := internal(ctx)
	if err != nil {
		return zero, err
	}
	if functionName == "" {
		return zero, &ValidationError{Message: "invoke " + quote(name) + " has no function name"}
	}
	cfg := invokeConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.payload = c.serdesFor(cfg.payloadSerdes, "invoke", name)
	cfg.payload.input = true
	cfg.result = c.serdesFor(cfg.resultSerdes, "invoke", name)
	payload, err := c.invoke(name, functionName, &cfg, func() (string, error) {
		return serializeInput(&cfg.payload, input)
	})
	if err != nil {
		return zero, err
	}
	var out O
	if err := cfg.result.unmarshal(payload, &out); err != nil {
		return zero, err
	}
	return out, nil
}

// serializeInput serializes an invoke's input, at most 256 KiB like every
// operation payload; the input is the caller's value, so a failure is
// returned to the caller, never recorded.
func serializeInput(io *opSerdes, v any) (string, error) {
	s, err := io.marshal(v)
	if err != nil {
		return "", err
	}
	if len(s) > maxPayloadBytes {
		return "", &PayloadTooLargeError{What: "the input of invoke " + quote(io.name), Size: len(s), Limit: maxPayloadBytes}
	}
	return s, nil
}

// invoke starts (or finds) the CHAINED_INVOKE operation and returns the
// invoked function's result payload. input is serialized only when the
// operation starts.
func (c *dctx) invoke(name, functionName string, cfg *invokeConfig, input func() (string, error)) (string, error) {
	id, path, rec, err := c.begin(types.OperationTypeChainedInvoke, subChainedInvoke, name)
	if err != nil {
		return "", err
	}
	cfg.payload.setID(path)
	cfg.result.setID(path)
	if rec == nil {
		payload, err := input()
		if err != nil {
			return "", err
		}
		u := c.ref(id, types.OperationTypeChainedInvoke, subChainedInvoke, name).update(types.OperationActionStart)
		u.Payload = aws.String(payload)
		u.ChainedInvokeOptions = &types.ChainedInvokeOptions{FunctionName: aws.String(functionName)}
		if cfg.tenantID != "" {
			u.ChainedInvokeOptions.TenantId = aws.String(cfg.tenantID)
		}
		if err := c.send(u, true); err != nil {
			return "", err
		}
		if rec = c.exec.get(id); rec == nil {
			return "", c.suspend()
		}
	}
	d := rec.ChainedInvokeDetails
	if d == nil {
		d = &types.ChainedInvokeDetails{}
	}
	switch rec.Status {
	case types.OperationStatusSucceeded:
		return aws.ToString(d.Result), nil
	case types.OperationStatusStarted, types.OperationStatusPending, types.OperationStatusReady:
		return "", c.suspend()
	}
	typ, msg, data := objFields(d.Error)
	return "", &InvokeError{Name: name, FunctionID: functionName, Status: rec.Status, ErrorType: typ, Message: msg, ErrorData: data, Err: standIn(typ, msg, invokeSentinel(rec.Status))}
}
