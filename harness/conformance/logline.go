package conformance

import (
	"bytes"
	"encoding/json"
	"strings"
)

// ParseLogLine reads one line a function process wrote as the record
// CloudWatch would show: a JSON object (the structured logging of the SDKs
// and of log/slog) gives its fields, nested ones as "group.key", each value
// with its JSON type (numbers as json.Number), with slog's "msg" as
// "message" when there is none; any other line is a record whose message is
// the line. It returns false for a record below INFO, which Lambda's default
// log level drops.
func ParseLogLine(line string) (LogRecord, bool) {
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil || fields == nil || dec.More() {
		return LogRecord{"message": line}, true
	}
	rec := LogRecord{}
	flattenLogFields(rec, "", fields)
	if _, ok := rec["message"]; !ok {
		if msg, ok := rec["msg"]; ok {
			rec["message"] = msg
		}
	}
	level, _ := rec["level"].(string)
	switch strings.ToUpper(level) {
	case "DEBUG", "TRACE":
		return rec, false
	}
	return rec, true
}

func flattenLogFields(rec LogRecord, prefix string, fields map[string]any) {
	for k, v := range fields {
		if m, ok := v.(map[string]any); ok {
			flattenLogFields(rec, prefix+k+".", m)
			continue
		}
		rec[prefix+k] = v
	}
}

// logRecordJSON is a record as one line of JSON, keys sorted, for reports.
func logRecordJSON(r LogRecord) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any(r)); err != nil {
		return renderInline(map[string]any(r))
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
