package service

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Every refusal of a checkpoint token starts with "Invalid Checkpoint
// Token", exactly: the official JS SDK re-invokes on that prefix (compared
// case-sensitively) and fails the whole execution on any other message.
func TestTokenRefusalsStartWithTheSDKsPrefix(t *testing.T) {
	const prefix = "Invalid Checkpoint Token"
	refusal := func(s *session, token string) string {
		t.Helper()
		_, err := s.b.CheckpointDurableExecution(context.Background(), &lambda.CheckpointDurableExecutionInput{
			DurableExecutionArn: aws.String(s.arn), CheckpointToken: aws.String(token),
		})
		var ipv *types.InvalidParameterValueException
		if !errors.As(err, &ipv) {
			t.Fatalf("token %q: %v, want an InvalidParameterValueException", token, err)
		}
		return aws.ToString(ipv.Message)
	}
	s := newSession(t, "null")
	first := s.token
	s.checkpoint()
	msgs := map[string]string{
		"used":    refusal(s, first),
		"unknown": refusal(s, "not-a-token"),
	}
	s.end(`{"Status":"PENDING"}`)
	msgs["no invocation in flight"] = refusal(s, s.token)
	s.begin()
	msgs["earlier invocation"] = refusal(s, first)
	s.end(`{"Status":"SUCCEEDED","Result":"1"}`)
	msgs["execution ended"] = refusal(s, s.token)
	for kind, msg := range msgs {
		if !strings.HasPrefix(msg, prefix) {
			t.Errorf("%s token: %q, want a message that starts %q", kind, msg, prefix)
		}
	}
}
