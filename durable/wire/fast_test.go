package wire

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// envelope mirrors durable.InvocationInput (which imports this package).
type envelope struct {
	DurableExecutionArn   string
	CheckpointToken       string
	InitialExecutionState struct {
		Operations []types.Operation
		NextMarker string
	}
}

type tagged struct {
	A string `json:"a"`
}

// decodeBoth decodes data into a fresh T with Unmarshal and with the
// general path alone, and fails unless both give the same value and error.
// It reports whether the fast decoder accepted data.
func decodeBoth[T any](t *testing.T, data string, unit TimeUnit) bool {
	t.Helper()
	var fast, slow T
	ferr := Unmarshal([]byte(data), &fast, unit)
	serr := unmarshalGeneral([]byte(data), reflect.ValueOf(&slow), unit)
	if (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
		t.Fatalf("%s: error %v, general path %v", data, ferr, serr)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s:\n fast %+v\n general %+v", data, fast, slow)
	}
	var probe T
	return fastEligible(reflect.TypeFor[T]()) && fastUnmarshal([]byte(data), reflect.ValueOf(&probe).Elem(), unit)
}

var envelopeInputs = []string{
	`{"CheckpointToken":"tok","DurableExecutionArn":"arn:x","InitialExecutionState":{"Operations":[{"ExecutionDetails":{"InputPayload":"{\"num1\":10,\"num2\":0}"},"Id":"i","Name":"n","StartTimestamp":1767225600000,"Status":"STARTED","Type":"EXECUTION"}]}}`,
	` { "CheckpointToken" : "t" , "DurableExecutionArn":"a", "InitialExecutionState":{"Operations":[],"NextMarker":"m"} } `,
	`{"InitialExecutionState":{"Operations":null}}`,
	`{"InitialExecutionState":{"Operations":[{"Id":"1","StepDetails":{"Attempt":3,"NextAttemptTimestamp":1767225600123.6,"Error":{"ErrorType":"E","StackTrace":["a","b\u00e9\ud83d\ude00"]}}},{"Id":"2"},{"Id":"3"},{"Id":"4"},{"Id":"5","ContextDetails":{"ReplayChildren":true,"Result":"\u003c\/\b\f\n\r\t\\"}}]}}`,
	`{"CheckpointToken":"é","DurableExecutionArn":null}`,
	`{"CheckpointToken":"t","CheckpointToken":"u"}`,
	`{"checkpointtoken":"t"}`,
	`{"Unknown":1,"CheckpointToken":"t"}`,
	`{"InitialExecutionState":{"Operations":[{"StartTimestamp":"2026-01-01T00:00:00Z"}]}}`,
	`{"InitialExecutionState":{"Operations":[{"StepDetails":{"Attempt":1.0}}]}}`,
	`{"InitialExecutionState":{"Operations":[{"StepDetails":{"Attempt":99999999999}}]}}`,
	`{"InitialExecutionState":{"Operations":[{"Id":"\ud800"}]}}`,
	"{\"CheckpointToken\":\"\xff\"}",
	`{"CheckpointToken":"t"} x`,
	`{"CheckpointToken":"t",}`,
	`{"CheckpointToken":1}`,
	`[]`,
	`null`,
	``,
	`{"InitialExecutionState":{"Operations":[{"StepDetails":{"Attempt":01}}]}}`,
	`{"InitialExecutionState":{"Operations":[{"StepDetails":{"Attempt":-0}}]}}`,
}

func TestFastDecoderMatchesGeneralPath(t *testing.T) {
	accepted := 0
	for _, in := range envelopeInputs {
		if decodeBoth[envelope](t, in, Milliseconds) {
			accepted++
		}
		decodeBoth[envelope](t, in, Seconds)
	}
	if accepted < 5 {
		t.Errorf("the fast decoder accepted only %d inputs", accepted)
	}
	for _, in := range []string{
		`{"DurableExecutionArn":"a","CheckpointToken":"t","ClientToken":"c","Updates":[{"Id":"x","Type":"STEP","Action":"RETRY","StepOptions":{"NextAttemptDelaySeconds":5},"Error":{"ErrorMessage":"m"}},{"Id":"y","Type":"WAIT","Action":"START","WaitOptions":{"WaitSeconds":1}}]}`,
		`{"ResultMetadata":{}}`,
	} {
		decodeBoth[lambda.CheckpointDurableExecutionInput](t, in, Seconds)
	}
	decodeBoth[tagged](t, `{"a":"x"}`, Seconds)
	if fastEligible(reflect.TypeFor[tagged]()) {
		t.Error("a type with json tags must take the general path")
	}
}

func TestFastDecoderRoundTrips(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	in := envelope{DurableExecutionArn: "arn", CheckpointToken: "tok"}
	in.InitialExecutionState.Operations = []types.Operation{
		{Id: aws.String("e"), Type: types.OperationTypeExecution, StartTimestamp: &at, ExecutionDetails: &types.ExecutionDetails{InputPayload: aws.String("<&>\"\u2028\x01")}},
		{Id: aws.String("s"), ParentId: aws.String("e"), Type: types.OperationTypeStep, StepDetails: &types.StepDetails{Attempt: 2, Result: aws.String("1.5")}, EndTimestamp: &at},
		{Id: aws.String("c"), ContextDetails: &types.ContextDetails{ReplayChildren: aws.Bool(false), Error: &types.ErrorObject{StackTrace: []string{}}}},
	}
	for _, unit := range []TimeUnit{Seconds, Milliseconds} {
		data, err := Marshal(in, unit)
		if err != nil {
			t.Fatal(err)
		}
		if !decodeBoth[envelope](t, string(data), unit) {
			t.Fatalf("the fast decoder refused our own encoding: %s", data)
		}
	}
}

func FuzzFastDecoder(f *testing.F) {
	for _, in := range envelopeInputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		decodeBoth[envelope](t, in, Milliseconds)
	})
}
