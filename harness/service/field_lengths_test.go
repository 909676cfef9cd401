package service

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestFieldLengthsAtTheExactBoundary: every length and range rule on a
// request field accepts its longest (or largest) value and refuses one
// more, naming the field.
func TestFieldLengthsAtTheExactBoundary(t *testing.T) {
	checkpointWith := func(t *testing.T, edit func(*types.OperationUpdate)) error {
		u := stepStart("a", "a", "")
		edit(&u)
		_, err := newSession(t, "null").try(u)
		return err
	}
	cases := []struct {
		name     string
		ok, over int
		want     string
		try      func(t *testing.T, n int) error
	}{
		{"operation Id", 64, 65, "Id", func(t *testing.T, n int) error {
			return checkpointWith(t, func(u *types.OperationUpdate) { u.Id = aws.String(strings.Repeat("i", n)) })
		}},
		{"Name", 256, 257, "Name", func(t *testing.T, n int) error {
			return checkpointWith(t, func(u *types.OperationUpdate) { u.Name = aws.String(strings.Repeat("n", n)) })
		}},
		{"SubType", 32, 33, "SubType", func(t *testing.T, n int) error {
			return checkpointWith(t, func(u *types.OperationUpdate) { u.SubType = aws.String(strings.Repeat("S", n)) })
		}},
		{"ParentId", 64, 65, "ParentId", func(t *testing.T, n int) error {
			s := newSession(t, "null")
			parent := strings.Repeat("p", min(n, 64))
			s.checkpoint(ctxStart(parent, "c", "RunInChildContext", ""))
			u := stepStart("a", "a", "")
			u.ParentId = aws.String(strings.Repeat("p", n))
			_, err := s.try(u)
			return err
		}},
		{"ClientToken", 64, 65, "ClientToken", func(t *testing.T, n int) error {
			s := newSession(t, "null")
			_, err := s.b.CheckpointDurableExecution(context.Background(), &lambda.CheckpointDurableExecutionInput{
				DurableExecutionArn: aws.String(s.arn), CheckpointToken: aws.String(s.token), ClientToken: aws.String(strings.Repeat("c", n)),
			})
			return err
		}},
		{"ExecutionTimeout", 31622400, 31622401, "ExecutionTimeout", func(t *testing.T, n int) error {
			_, err := NewBackend().StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", Payload: "null", ExecutionTimeout: int32(n)})
			return err
		}},
		{"FunctionName", 64, 65, "FunctionName", func(t *testing.T, n int) error {
			_, err := NewBackend().StartExecution(context.Background(), StartExecutionInput{FunctionName: strings.Repeat("f", n), Payload: "null"})
			return err
		}},
		{"DurableExecutionName", 64, 65, "DurableExecutionName", func(t *testing.T, n int) error {
			_, err := NewBackend().StartExecution(context.Background(), StartExecutionInput{FunctionName: "fn", ExecutionName: strings.Repeat("e", n), Payload: "null"})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.try(t, tc.ok); err != nil {
				t.Fatalf("%d is within the limit, but: %v", tc.ok, err)
			}
			err := tc.try(t, tc.over)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%d is past the limit: got %v, want an error naming %s", tc.over, err, tc.want)
			}
		})
	}
}
