package wire_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/dpcheck/dpcheck/durable/wire"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 250_000_000, time.UTC)

func TestOperationRoundTripsInMilliseconds(t *testing.T) {
	op := types.Operation{
		Id:             aws.String("abc"),
		Type:           types.OperationTypeStep,
		Status:         types.OperationStatusSucceeded,
		StartTimestamp: aws.Time(start),
		StepDetails:    &types.StepDetails{Attempt: 2, Result: aws.String(`"x"`)},
	}
	data, err := wire.Marshal(op, wire.Milliseconds)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Id":"abc","StartTimestamp":1767323045250,"Status":"SUCCEEDED","StepDetails":{"Attempt":2,"Result":"\"x\""},"Type":"STEP"}`
	if string(data) != want {
		t.Fatalf("Marshal =\n%s\nwant\n%s", data, want)
	}
	var back types.Operation
	if err := wire.Unmarshal(data, &back, wire.Milliseconds); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, op) {
		t.Fatalf("round trip changed the operation: %+v", back)
	}
}

func TestEventValueUsesSecondsAndKeepsEmptyDetails(t *testing.T) {
	ev := types.Event{
		EventId:            aws.Int32(2),
		EventType:          types.EventTypeStepStarted,
		EventTimestamp:     aws.Time(start.Truncate(time.Second)),
		StepStartedDetails: &types.StepStartedDetails{},
	}
	v, err := wire.ToValue(ev, wire.Seconds)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["EventTimestamp"] != json.Number("1767323045") {
		t.Fatalf("EventTimestamp = %v", m["EventTimestamp"])
	}
	if d, ok := m["StepStartedDetails"].(map[string]any); !ok || len(d) != 0 {
		t.Fatalf("StepStartedDetails = %#v, want {}", m["StepStartedDetails"])
	}
	if _, ok := m["Name"]; ok {
		t.Fatal("nil Name must be omitted")
	}
	frac, _ := wire.ToValue(types.Event{EventTimestamp: aws.Time(start)}, wire.Seconds)
	if got := frac.(map[string]any)["EventTimestamp"]; got != json.Number("1767323045.250") {
		t.Fatalf("fractional seconds = %v", got)
	}
}

func TestUnmarshalRequestBody(t *testing.T) {
	body := `{"CheckpointToken":"t1","Updates":[{"Id":"1","Type":"STEP","Action":"RETRY","StepOptions":{"NextAttemptDelaySeconds":5}}],"Extra":true}`
	var in lambda.CheckpointDurableExecutionInput
	if err := wire.Unmarshal([]byte(body), &in, wire.Seconds); err != nil {
		t.Fatal(err)
	}
	if *in.CheckpointToken != "t1" || in.Updates[0].Action != types.OperationActionRetry || *in.Updates[0].StepOptions.NextAttemptDelaySeconds != 5 {
		t.Fatalf("decoded %+v", in)
	}
}

func TestUnmarshalNamesTheBadMember(t *testing.T) {
	cases := map[string]struct{ body, path, problem string }{
		"wrong type":  {`{"Updates":[{"Id":7}]}`, "Updates[0].Id", "must be a string, got a number"},
		"not integer": {`{"Updates":[{"StepOptions":{"NextAttemptDelaySeconds":1.5}}]}`, "Updates[0].StepOptions.NextAttemptDelaySeconds", "not an integer"},
		"bad array":   {`{"Updates":{}}`, "Updates", "must be an array"},
		"malformed":   {`{"Updates":`, "", "malformed JSON"},
		"trailing":    {`{} {}`, "", "malformed JSON at byte 4"},
		"bad time":    {`{"Operations":[{"StartTimestamp":"yesterday"}]}`, "Operations[0].StartTimestamp", "not an epoch number"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var in struct {
				lambda.CheckpointDurableExecutionInput
			}
			var err error
			if strings.Contains(tc.body, "Operations") {
				var st lambda.GetDurableExecutionStateOutput
				err = wire.Unmarshal([]byte(tc.body), &st, wire.Seconds)
			} else {
				err = wire.Unmarshal([]byte(tc.body), &in.CheckpointDurableExecutionInput, wire.Seconds)
			}
			var werr *wire.Error
			if !errors.As(err, &werr) {
				t.Fatalf("err = %v, want *wire.Error", err)
			}
			if werr.Path != tc.path || !strings.Contains(werr.Problem, tc.problem) {
				t.Fatalf("err = %v, want path %q and problem containing %q", err, tc.path, tc.problem)
			}
			if !strings.HasPrefix(err.Error(), "wire: ") {
				t.Fatalf("message %q lacks the package prefix", err)
			}
		})
	}
}

func TestResultMetadataIsNotOnTheWire(t *testing.T) {
	data, err := wire.Marshal(&lambda.CheckpointDurableExecutionOutput{CheckpointToken: aws.String("t2")}, wire.Seconds)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"CheckpointToken":"t2"}` {
		t.Fatalf("Marshal = %s", data)
	}
}

func TestMarshalAgreesWithEncodingJSON(t *testing.T) {
	ev := types.Event{
		EventId:        aws.Int32(7),
		EventType:      types.EventTypeStepFailed,
		EventTimestamp: aws.Time(start),
		Name:           aws.String("a<b>&c \"q\" \\ \n\t\b\f\x01 \u2028 \xff é"),
		StepFailedDetails: &types.StepFailedDetails{
			Error:        &types.EventError{Payload: &types.ErrorObject{ErrorType: aws.String("E"), StackTrace: []string{"x", ""}}},
			RetryDetails: &types.RetryDetails{CurrentAttempt: 1},
		},
	}
	for _, v := range []any{ev, []types.Event{ev, {}}, map[string]types.Event{"b": ev, "a": {}}} {
		fast, err := wire.Marshal(v, wire.Seconds)
		if err != nil {
			t.Fatal(err)
		}
		val, err := wire.ToValue(v, wire.Seconds)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := json.Marshal(val)
		if err != nil {
			t.Fatal(err)
		}
		if string(fast) != string(slow) {
			t.Fatalf("Marshal =\n%s\nencoding/json of ToValue =\n%s", fast, slow)
		}
	}
}

func TestUnmarshalTimestampsInBothUnits(t *testing.T) {
	var out lambda.GetDurableExecutionStateOutput
	body := `{"Operations":[{"Id":"a","StartTimestamp":1767323045.25,"EndTimestamp":null},{"Id":"b","StartTimestamp":"2026-01-02T03:04:05.25Z"}]}`
	if err := wire.Unmarshal([]byte(body), &out, wire.Seconds); err != nil {
		t.Fatal(err)
	}
	for _, op := range out.Operations {
		if !op.StartTimestamp.Equal(start) || op.EndTimestamp != nil {
			t.Fatalf("operation %s: start %v end %v", *op.Id, op.StartTimestamp, op.EndTimestamp)
		}
	}
	var ms types.Operation
	if err := wire.Unmarshal([]byte(`{"StartTimestamp":1767323045250}`), &ms, wire.Milliseconds); err != nil || !ms.StartTimestamp.Equal(start) {
		t.Fatalf("milliseconds: %v, %v", ms.StartTimestamp, err)
	}
}
