package props

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"pgregory.net/rapid"
)

// calcEvent is a generated calculator event: the JSON text sent and what
// decisions §4 says the calculator reads from it.
type calcEvent struct {
	JSON       string
	Num1, Num2 float64
	// Invalid is the InvalidInputError message the execution must fail
	// with, "" for a valid event.
	Invalid string
}

// calcField is one generated num1/num2 entry.
type calcField struct {
	present bool
	text    string  // the JSON value as sent
	value   float64 // what a valid number reads as
	got     string  // for an invalid value: what InvalidInputError says was found
}

// calcEventGen draws calculator events; about one in ten is invalid.
func calcEventGen() *rapid.Generator[calcEvent] {
	return rapid.Custom(func(t *rapid.T) calcEvent {
		if rapid.IntRange(0, 19).Draw(t, "notAnObject") == 0 {
			bad := rapid.SampledFrom([][2]string{
				{`[]`, "an array"}, {`[1,2]`, "an array"}, {`"text"`, "a string"},
				{`42`, "a number"}, {`true`, "a boolean"}, {`null`, "null"},
			}).Draw(t, "event")
			return calcEvent{JSON: bad[0], Invalid: "function: event must be a JSON object, got " + bad[1]}
		}
		num1 := calcFieldGen("num1").Draw(t, "num1")
		num2 := calcFieldGen("num2").Draw(t, "num2")
		if num1.present && num1.got == "" && num2.present && num2.got == "" {
			// Overflow needs both numbers large (or one tiny): tie num2 to
			// num1 now and then.
			rel := rapid.SampledFrom([]string{"free", "free", "free", "equal", "negated", "inverse", "tinyInverse"}).Draw(t, "num2.relation")
			if v, ok := related(rel, num1.value); ok {
				num2 = calcField{present: true, text: formatNumber(t, v), value: v}
			}
		}
		// One group per key; a duplicated key's shadowed value comes first,
		// since encoding/json keeps the last of duplicated keys.
		var groups [][]string
		for _, f := range []struct {
			key string
			f   calcField
		}{{"num1", num1}, {"num2", num2}} {
			if !f.f.present {
				continue
			}
			var g []string
			if rapid.Bool().Draw(t, f.key+".duplicated") {
				g = append(g, fmt.Sprintf("%q:%s", f.key, numberTextGen().Draw(t, f.key+".shadowed")))
			}
			groups = append(groups, append(g, fmt.Sprintf("%q:%s", f.key, f.f.text)))
		}
		if rapid.Bool().Draw(t, "extraKey") {
			key := rapid.SampledFrom([]string{"num3", "Num1", "NUM2", "op"}).Draw(t, "extraKey.name")
			groups = append(groups, []string{fmt.Sprintf("%q:%s", key, rapid.SampledFrom([]string{`"x"`, `1`, `null`, `[0]`}).Draw(t, "extraKey.value"))})
		}
		rot := rapid.IntRange(0, max(0, len(groups)-1)).Draw(t, "keyOrder")
		var entries []string
		for _, g := range append(groups[rot:], groups[:rot]...) {
			entries = append(entries, g...)
		}
		sep := rapid.SampledFrom([]string{",", ", ", ",\n  "}).Draw(t, "separator")
		ev := calcEvent{JSON: "{" + strings.Join(entries, sep) + "}", Num1: num1.value, Num2: num2.value}
		for _, f := range []struct {
			key string
			f   calcField
		}{{"num1", num1}, {"num2", num2}} {
			if f.f.present && f.f.got != "" {
				ev.Invalid = fmt.Sprintf("function: %s must be a finite JSON number, got %s", f.key, f.f.got)
				break
			}
		}
		return ev
	})
}

// calcFieldGen draws a field: missing (reads as 0), badly typed, or a number.
func calcFieldGen(key string) *rapid.Generator[calcField] {
	return rapid.Custom(func(t *rapid.T) calcField {
		// rapid favours small draws: numbers first, so they dominate and a
		// counterexample shrinks towards one.
		switch rapid.IntRange(0, 9).Draw(t, key+".presence") {
		case 8:
			return calcField{}
		case 9:
			bad := rapid.SampledFrom([][2]string{
				{`"10"`, "a string"}, {`null`, "null"}, {`true`, "a boolean"}, {`false`, "a boolean"},
				{`[2]`, "an array"}, {`{"v":1}`, "an object"},
				{`1e999`, "1e999 (outside the float64 range)"}, {`-2E+400`, "-2E+400 (outside the float64 range)"},
			}).Draw(t, key+".invalid")
			return calcField{present: true, text: bad[0], got: bad[1]}
		}
		text := numberTextGen().Draw(t, key+".number")
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			panic(fmt.Sprintf("props: generated number %s does not parse: %v", text, err))
		}
		return calcField{present: true, text: text, value: v}
	})
}

// numberTextGen draws a JSON number literal within the float64 range (a
// literal below it underflows to zero, which is valid).
func numberTextGen() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		sign := 1.0
		switch rapid.SampledFrom([]string{"fraction", "smallInt", "huge", "nearOverflow", "tiny", "zero", "bigInt", "underflow", "any"}).Draw(t, "kind") {
		case "zero":
			return rapid.SampledFrom([]string{"0", "-0", "0.0", "-0.0", "0e5", "-0E-5"}).Draw(t, "zero")
		case "smallInt":
			return strconv.Itoa(rapid.IntRange(-1000, 1000).Draw(t, "int"))
		case "bigInt":
			// Beyond 2^53: the literal rounds to the nearest float64.
			return rapid.StringMatching(`-?[1-9][0-9]{15,30}`).Draw(t, "digits")
		case "underflow":
			return rapid.SampledFrom([]string{"1e-400", "-1e-400", "2e-324", "3e-324", "-4.9e-324"}).Draw(t, "underflow")
		case "fraction":
			return formatNumber(t, rapid.Float64Range(-1e6, 1e6).Draw(t, "fraction"))
		case "huge":
			sign = drawSign(t)
			return formatNumber(t, sign*rapid.Float64Range(1e250, math.MaxFloat64).Draw(t, "huge"))
		case "nearOverflow":
			sign = drawSign(t)
			half, root := math.MaxFloat64/2, math.Sqrt(math.MaxFloat64)
			return formatNumber(t, sign*rapid.SampledFrom([]float64{
				math.MaxFloat64, math.Nextafter(math.MaxFloat64, 0), half, math.Nextafter(half, 0), math.Nextafter(half, math.Inf(1)),
				root, math.Nextafter(root, 0), math.Nextafter(root, math.Inf(1)), 1e308, 1e154,
			}).Draw(t, "nearOverflow"))
		case "tiny":
			sign = drawSign(t)
			return formatNumber(t, sign*rapid.SampledFrom([]float64{
				math.SmallestNonzeroFloat64, 2.2250738585072014e-308, 1e-300, 1e-154,
				rapid.Float64Range(math.SmallestNonzeroFloat64, 1e-250).Draw(t, "tinyRange"),
			}).Draw(t, "tiny"))
		default:
			return formatNumber(t, rapid.Float64().Filter(func(v float64) bool { return !math.IsInf(v, 0) && !math.IsNaN(v) }).Draw(t, "any"))
		}
	})
}

// related derives num2 from num1: the same, negated, its inverse, or an
// inverse scaled down so the division overflows.
func related(rel string, v float64) (float64, bool) {
	var r float64
	switch rel {
	case "equal":
		r = v
	case "negated":
		r = -v
	case "inverse":
		r = 1 / v
	case "tinyInverse":
		r = 1 / v / 1e10
	default:
		return 0, false
	}
	return r, !math.IsInf(r, 0) && !math.IsNaN(r)
}

func drawSign(t *rapid.T) float64 {
	if rapid.Bool().Draw(t, "negative") {
		return -1
	}
	return 1
}

// formatNumber writes v as a JSON number in one of several shapes, all of
// which read back as exactly v.
func formatNumber(t *rapid.T, v float64) string {
	return strconv.FormatFloat(v, rapid.SampledFrom([]byte{'g', 'e', 'E', 'f'}).Draw(t, "format"), -1, 64)
}

// calcFailure is one failed operation of the model.
type calcFailure struct{ operation, errorType, errorMessage string }

// calcModel is the calculator's outcome computed from decisions §4.
type calcModel struct {
	response string // exact result JSON
	success  int
	failures []calcFailure
}

// modelCalc computes the response for valid numbers a and b: four float64
// operations in branch order, a division by zero (of either sign) fails
// with the seed's error, a non-finite result fails its step with
// OverflowError.
func modelCalc(a, b float64) calcModel {
	ops := []struct {
		name, key string
		f         func(a, b float64) float64
	}{
		{"addition", "Add", func(a, b float64) float64 { return a + b }},
		{"subtraction", "Subtract", func(a, b float64) float64 { return a - b }},
		{"multiplication", "Multiply", func(a, b float64) float64 { return a * b }},
		{"division", "Division", func(a, b float64) float64 { return a / b }},
	}
	var m calcModel
	var results []string
	for _, op := range ops {
		if op.name == "division" && b == 0 {
			m.failures = append(m.failures, calcFailure{op.name, "DivisionByZeroError", "Division by zero is not allowed"})
			continue
		}
		v := op.f(a, b)
		if math.IsInf(v, 0) || math.IsNaN(v) {
			m.failures = append(m.failures, calcFailure{op.name, "OverflowError",
				fmt.Sprintf("function: %s of %v and %v overflows float64", op.name, a, b)})
			continue
		}
		m.success++
		results = append(results, fmt.Sprintf("%q:%s", op.key, mustJSON(v)))
	}
	if len(m.failures) == 0 {
		m.response = "{" + strings.Join(results, ",") + "}"
		return m
	}
	var failures []string
	for _, f := range m.failures {
		failures = append(failures, fmt.Sprintf(`{"operation":%s,"errorType":%s,"errorMessage":%s}`,
			mustJSON(f.operation), mustJSON(f.errorType), mustJSON(f.errorMessage)))
	}
	m.response = fmt.Sprintf(`{"error_details":"One or more operations failed","successCount":%d,"failureCount":%d,"results":{%s},"failures":[%s]}`,
		m.success, len(m.failures), strings.Join(results, ","), strings.Join(failures, ","))
	return m
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
