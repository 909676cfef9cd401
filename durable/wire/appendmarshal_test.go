package wire_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/durable/wire"
)

func TestAppendMarshalExtendsTheBufferWithWhatMarshalGives(t *testing.T) {
	out := &lambda.CheckpointDurableExecutionOutput{CheckpointToken: aws.String("t/2")}
	want, err := wire.Marshal(out, wire.Seconds)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 4)
	buf = append(buf, "old:"...)
	got, err := wire.AppendMarshal(buf, out, wire.Seconds)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "old:"+string(want) {
		t.Errorf("AppendMarshal = %s, want old: then %s", got, want)
	}
	if _, err := wire.AppendMarshal(nil, make(chan int), wire.Seconds); err == nil {
		t.Error("AppendMarshal of a channel: no error")
	}
}
