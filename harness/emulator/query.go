package emulator

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// query reads restJson1 query bindings; the first malformed one is kept in
// err as an InvalidParameterValueException naming the parameter.
type query struct {
	values url.Values
	err    error
}

func (q *query) fail(name, value, want string) {
	if q.err == nil {
		q.err = invalidParameter("query parameter %s=%q is not %s", name, value, want)
	}
}

func (q *query) str(name string) *string {
	if !q.values.Has(name) {
		return nil
	}
	return aws.String(q.values.Get(name))
}

func (q *query) bool(name string) *bool {
	if !q.values.Has(name) {
		return nil
	}
	v := q.values.Get(name)
	b, err := strconv.ParseBool(v)
	if err != nil {
		q.fail(name, v, "a boolean")
		return nil
	}
	return aws.Bool(b)
}

func (q *query) int32(name string) int32 {
	if !q.values.Has(name) {
		return 0
	}
	v := q.values.Get(name)
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		q.fail(name, v, "a 32-bit integer")
		return 0
	}
	return int32(n)
}

// time reads an ISO 8601 date-time, the default for query bindings.
func (q *query) time(name string) *time.Time {
	if !q.values.Has(name) {
		return nil
	}
	v := q.values.Get(name)
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		q.fail(name, v, "an ISO 8601 date-time")
		return nil
	}
	return &t
}

func (q *query) statuses(name string) []types.ExecutionStatus {
	var out []types.ExecutionStatus
	for _, v := range q.values[name] {
		if !slices.Contains(types.ExecutionStatus("").Values(), types.ExecutionStatus(v)) {
			q.fail(name, v, "an execution status")
			return nil
		}
		out = append(out, types.ExecutionStatus(v))
	}
	return out
}
