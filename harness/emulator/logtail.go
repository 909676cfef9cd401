package emulator

import (
	"encoding/base64"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// maxLogResult is how much of the log Invoke's LogType=Tail returns: the
// last 4 KB, as Lambda does.
const maxLogResult = 4096

// logTail reads Invoke's X-Amz-Log-Type: whether the answer carries the
// log's tail.
func logTail(v string) (bool, error) {
	switch types.LogType(v) {
	case "", types.LogTypeNone:
		return false, nil
	case types.LogTypeTail:
		return true, nil
	}
	return false, invalidParameter("X-Amz-Log-Type %q is not None or Tail", v)
}

// logResult is X-Amz-Log-Result for a synchronous Invoke of a durable
// function: the base64 of the last 4 KB of what its function processes
// printed during the execution, every invocation in order, a line break
// after each line.
func (s *Server) logResult(arn string) string {
	rep, _ := s.Report(arn)
	var sb strings.Builder
	for _, l := range rep.Logs {
		sb.WriteString(l.Line)
		sb.WriteByte('\n')
	}
	text := sb.String()
	if len(text) > maxLogResult {
		text = text[len(text)-maxLogResult:]
	}
	return base64.StdEncoding.EncodeToString([]byte(text))
}
