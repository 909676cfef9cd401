package harness

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// encodeEnvelope writes the invocation envelope, byte for byte what
// durable.EncodeInvocationInput (package wire, epoch-millisecond
// timestamps, keys sorted, nil and empty members left out) writes for the
// same durable.InvocationInput. It is hand-written because the envelope is
// built once per invocation and the reflective encoder was a tenth of the
// local runner's time; a test holds the two encoders equal.
func encodeEnvelope(arn, token string, ops []types.Operation, next *string) []byte {
	b := make([]byte, 0, 256+256*len(ops))
	b = append(b, '{')
	comma := false
	if token != "" {
		b = appendKey(b, "CheckpointToken", &comma)
		b = appendString(b, token)
	}
	if arn != "" {
		b = appendKey(b, "DurableExecutionArn", &comma)
		b = appendString(b, arn)
	}
	b = appendKey(b, "InitialExecutionState", &comma)
	b = append(b, '{')
	inner := false
	if next != nil && *next != "" {
		b = appendKey(b, "NextMarker", &inner)
		b = appendString(b, *next)
	}
	if ops != nil {
		b = appendKey(b, "Operations", &inner)
		b = append(b, '[')
		for i := range ops {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendOperation(b, &ops[i])
		}
		b = append(b, ']')
	}
	return append(b, '}', '}')
}

func appendOperation(b []byte, op *types.Operation) []byte {
	b = append(b, '{')
	c := false
	if d := op.CallbackDetails; d != nil {
		b = appendKey(b, "CallbackDetails", &c)
		b = append(b, '{')
		cc := false
		b = appendStrField(b, "CallbackId", d.CallbackId, &cc)
		b = appendErrField(b, "Error", d.Error, &cc)
		b = appendStrField(b, "Result", d.Result, &cc)
		b = append(b, '}')
	}
	if d := op.ChainedInvokeDetails; d != nil {
		b = appendKey(b, "ChainedInvokeDetails", &c)
		b = append(b, '{')
		cc := false
		b = appendErrField(b, "Error", d.Error, &cc)
		b = appendStrField(b, "Result", d.Result, &cc)
		b = append(b, '}')
	}
	if d := op.ContextDetails; d != nil {
		b = appendKey(b, "ContextDetails", &c)
		b = append(b, '{')
		cc := false
		b = appendErrField(b, "Error", d.Error, &cc)
		if d.ReplayChildren != nil {
			b = appendKey(b, "ReplayChildren", &cc)
			b = strconv.AppendBool(b, *d.ReplayChildren)
		}
		b = appendStrField(b, "Result", d.Result, &cc)
		b = append(b, '}')
	}
	b = appendTimeField(b, "EndTimestamp", op.EndTimestamp, &c)
	if d := op.ExecutionDetails; d != nil {
		b = appendKey(b, "ExecutionDetails", &c)
		b = append(b, '{')
		cc := false
		b = appendStrField(b, "InputPayload", d.InputPayload, &cc)
		b = append(b, '}')
	}
	b = appendStrField(b, "Id", op.Id, &c)
	b = appendStrField(b, "Name", op.Name, &c)
	b = appendStrField(b, "ParentId", op.ParentId, &c)
	b = appendTimeField(b, "StartTimestamp", op.StartTimestamp, &c)
	if op.Status != "" {
		b = appendKey(b, "Status", &c)
		b = appendString(b, string(op.Status))
	}
	if d := op.StepDetails; d != nil {
		b = appendKey(b, "StepDetails", &c)
		b = append(b, '{')
		cc := false
		b = appendKey(b, "Attempt", &cc)
		b = strconv.AppendInt(b, int64(d.Attempt), 10)
		b = appendErrField(b, "Error", d.Error, &cc)
		b = appendTimeField(b, "NextAttemptTimestamp", d.NextAttemptTimestamp, &cc)
		b = appendStrField(b, "Result", d.Result, &cc)
		b = append(b, '}')
	}
	b = appendStrField(b, "SubType", op.SubType, &c)
	if op.Type != "" {
		b = appendKey(b, "Type", &c)
		b = appendString(b, string(op.Type))
	}
	if d := op.WaitDetails; d != nil {
		b = appendKey(b, "WaitDetails", &c)
		b = append(b, '{')
		cc := false
		b = appendTimeField(b, "ScheduledEndTimestamp", d.ScheduledEndTimestamp, &cc)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendKey(b []byte, key string, comma *bool) []byte {
	if *comma {
		b = append(b, ',')
	}
	*comma = true
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStrField(b []byte, key string, v *string, comma *bool) []byte {
	if v == nil {
		return b
	}
	return appendString(appendKey(b, key, comma), *v)
}

func appendTimeField(b []byte, key string, v *time.Time, comma *bool) []byte {
	if v == nil {
		return b
	}
	return strconv.AppendInt(appendKey(b, key, comma), v.UnixMilli(), 10)
}

func appendErrField(b []byte, key string, e *types.ErrorObject, comma *bool) []byte {
	if e == nil {
		return b
	}
	b = appendKey(b, key, comma)
	b = append(b, '{')
	c := false
	b = appendStrField(b, "ErrorData", e.ErrorData, &c)
	b = appendStrField(b, "ErrorMessage", e.ErrorMessage, &c)
	b = appendStrField(b, "ErrorType", e.ErrorType, &c)
	if e.StackTrace != nil {
		b = appendKey(b, "StackTrace", &c)
		b = append(b, '[')
		for i, s := range e.StackTrace {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does
// (HTML characters, U+2028 and U+2029 escaped, invalid UTF-8 replaced).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
