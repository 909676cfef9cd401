package durable

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// invocationStarted tells the plugins an invocation starts, then which
// operations changed since the previous one (the envelope's
// UpdatedOperationIds), those that ended among them included. It returns
// the info WrapInvocation gets.
func (e *execution) invocationStarted(in *InvocationInput, input string) InvocationHookInfo {
	if len(e.plugins) == 0 {
		return InvocationHookInfo{}
	}
	info := InvocationHookInfo{ExecutionArn: *e.arn, IsFirstInvocation: e.first, ExecutionStartTimestamp: e.startTime,
		RequestID: e.requestID(), Operations: e.opInfos(nil, true), UpdatedOperations: e.opInfos(in.UpdatedOperationIds, true)}
	_ = json.Unmarshal([]byte(input), &info.ExecutionInput) // an input that is not JSON stays nil
	e.plugins.notify(func(p *Plugin) {
		if p.OnInvocationStart != nil {
			p.OnInvocationStart(e.ctx, info)
		}
	})
	var changed []*types.Operation
	for _, id := range in.UpdatedOperationIds {
		if op := e.get(id); op != nil {
			changed = append(changed, op)
		}
	}
	e.changed(changed, nil, true)
	return info
}

// invocationEnded tells the plugins how the invocation ended.
func (e *execution) invocationEnded(in *InvocationInput, out *InvocationOutput, err error) {
	if len(e.plugins) == 0 {
		return
	}
	info := InvocationEndHookInfo{ExecutionArn: *e.arn, IsFirstInvocation: e.first, RequestID: e.requestID(),
		ExecutionStartTimestamp: e.startTime, Operations: e.opInfos(nil, false), Status: PluginInvocationPending}
	switch {
	case err != nil:
		info.Status, info.ExecutionError = PluginInvocationFailed, err
	case out.Status == InvocationSucceeded:
		info.Status = PluginInvocationSucceeded
		_ = json.Unmarshal([]byte(out.Result), &info.ExecutionResult) // a result sent by checkpoint stays nil
	case out.Status == InvocationFailed:
		info.Status = PluginInvocationFailed
		if out.Error != nil {
			info.ExecutionError = standIn(aws.ToString(out.Error.ErrorType), aws.ToString(out.Error.ErrorMessage), nil)
		}
	}
	e.plugins.notify(func(p *Plugin) {
		if p.OnInvocationEnd != nil {
			p.OnInvocationEnd(e.ctx, info)
		}
	})
}

func (e *execution) requestID() string {
	if e.lambda != nil {
		return e.lambda.AwsRequestID
	}
	return ""
}
