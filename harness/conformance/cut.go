package conformance

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds on the console report, so a requirement with a huge description or
// a mismatch on a huge value cannot flood a terminal or a CI log. The JUnit
// report keeps the full text.
const (
	maxDescription = 200      // bytes of the description on the verdict line
	maxReportLine  = 512      // bytes of one line of a FAIL or SKIP report
	maxReport      = 64 << 10 // bytes of a whole FAIL or SKIP report
)

// cutText returns s cut to at most max bytes on a character boundary, with a
// note of the original size (total, in bytes) when s is longer than max or
// is itself a part of a longer text of total bytes.
func cutText(s string, max, total int) string {
	if len(s) <= max && total <= len(s) {
		return s
	}
	return fmt.Sprintf("%s… (cut, %d bytes in all)", runePrefix(s, max), total)
}

// runePrefix is the longest prefix of s of at most n bytes that does not
// end inside a UTF-8 sequence.
func runePrefix(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// oneLine is a description on one line, cut to maxDescription bytes. Only a
// bounded prefix is collapsed: the description may be as long as its file.
func oneLine(d string) string {
	prefix := runePrefix(d, 4*maxDescription)
	line := strings.Join(strings.Fields(prefix), " ")
	total := len(line)
	if len(prefix) < len(d) {
		total = len(d)
	}
	return cutText(line, maxDescription, total)
}

// cutReport cuts each line of a report, then the report as a whole.
func cutReport(msg string) string {
	var sb strings.Builder
	for line := range strings.Lines(msg) {
		if sb.Len() >= maxReport {
			fmt.Fprintf(&sb, "… (report cut, %d bytes in all)", len(msg))
			break
		}
		nl := strings.HasSuffix(line, "\n")
		line = strings.TrimSuffix(line, "\n")
		sb.WriteString(cutText(line, maxReportLine, len(line)))
		if nl {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}
