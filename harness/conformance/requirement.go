package conformance

// Requirement is one requirement file, validated. Expected values keep the shape
// YAML gave them (map[string]any, []any, string, int64, float64, bool, nil) with
// placeholders such as ${ID1} and '*' left in place for the matcher.
type Requirement struct {
	Suite string // folder name, e.g. "step"
	ID    string // file stem, e.g. "1-11"
	Path  string // file the requirement was read from

	Description string
	Handler     string // prose: what the handler does
	Invocations string // prose: what happens invocation by invocation
	Optional    bool   // a failure is reported as an optional failure

	Variables []Variable
	Input     any // the user event; nil when absent or empty

	AsyncInvoke     bool
	AsyncConfig     *AsyncConfig
	CallbackActions []CallbackAction

	ExpectedResult           *ExpectedResult
	ExpectedExecutionHistory []ExpectedEvent
	ExpectedLogs             []LogExpectation

	// DefaultRetryParameters is documentation only (step/1-13); kept for the report.
	DefaultRetryParameters map[string]any
}

// Key is "suite/id", the name handlers are registered under.
func (r *Requirement) Key() string { return r.Suite + "/" + r.ID }

// Variable is an entry of Variables: a literal value, or a generated one when
// GenLen > 0 (${GEN_STR:N}: N random lowercase alphanumeric characters).
type Variable struct {
	Name   string
	Value  string
	GenLen int
}

// AsyncConfig tunes the polling of an asynchronous run.
type AsyncConfig struct {
	PollIntervalSeconds      float64
	NoProgressTimeoutSeconds float64
}

// CallbackOperation is what a CallbackAction sends.
type CallbackOperation string

// The callback operations of the format.
const (
	CallbackSuccess   CallbackOperation = "success"
	CallbackFailure   CallbackOperation = "failure"
	CallbackHeartbeat CallbackOperation = "heartbeat"
)

// CallbackAction answers the first open callback whose name matches CallbackName
// ('*', a literal name, or ${/regex/}) after Delay seconds.
type CallbackAction struct {
	CallbackName string
	Operation    CallbackOperation
	Payload      any
	Delay        float64
}

// ExpectedResult is the expected terminal status and, when HasResult, the
// expected (JSON-decoded) result. A nil Result with HasResult means null.
type ExpectedResult struct {
	ExecutionStatus string
	Result          any
	HasResult       bool
}

// ExpectedEvent is one partial history event, looked up by its EventId.
type ExpectedEvent struct {
	EventID int
	Fields  map[string]any // every listed key, EventId included
	Line    int            // line in the requirement file, for reports
}

// LogExpectation counts the log records whose fields all match Match.
// Count, MinCount and MaxCount are -1 when not given.
type LogExpectation struct {
	Match    LogMatch
	Count    int
	MinCount int
	MaxCount int
	// After and Before are ordering anchors: every record Match counts must
	// come after (before) some record that each anchor matches, and an anchor
	// that matches no record at all fails the expectation.
	After  []LogMatch
	Before []LogMatch
}

// LogMatch is a partial log record: field name (nested fields as "a.b") to
// the value it must hold. A string written '/regex/' is searched in the
// field's text; any other value must equal the field with the same JSON type:
// a string a string, true a boolean, 2 a number, null a null.
type LogMatch map[string]any
