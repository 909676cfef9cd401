package durable

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// encodeBatch writes the Parallel payload
// {"all":[{"index":0,"status":"SUCCEEDED","result":…},{"index":1,"status":"FAILED","error":{…}}],"completionReason":"…"}.
// Results stored by the default serdes are JSON and go in as they are;
// those of a custom item serdes go in as JSON strings.
func encodeBatch(b *batchOutcome, plainJSON bool) string {
	var sb strings.Builder
	sb.Grow(batchSize(b, plainJSON))
	sb.WriteString(`{"all":[`)
	for k, it := range b.items {
		if k > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"index":`)
		sb.WriteString(strconv.Itoa(it.index))
		sb.WriteString(`,"status":"`)
		sb.WriteString(it.status.String())
		sb.WriteByte('"')
		switch it.status {
		case BatchItemSucceeded:
			sb.WriteString(`,"result":`)
			switch {
			case !plainJSON:
				q, _ := json.Marshal(it.payload)
				sb.Write(q)
			case it.payload == "":
				sb.WriteString("null")
			default:
				sb.WriteString(it.payload)
			}
		case BatchItemFailed:
			sb.WriteString(`,"error":`)
			ej, _ := json.Marshal(toErrorJSON(it.errObj))
			sb.Write(ej)
		}
		sb.WriteByte('}')
	}
	sb.WriteString(`],"completionReason":"`)
	sb.WriteString(b.reason.String())
	sb.WriteString(`"}`)
	return sb.String()
}

// batchSize estimates the length of encodeBatch's text, so its builder is
// allocated once instead of growing through every size on the way.
func batchSize(b *batchOutcome, plainJSON bool) int {
	n := 64 // the frame and the longest completion reason
	for _, it := range b.items {
		n += 44 // {"index":…,"status":"SUCCEEDED","result":}
		if plainJSON {
			n += len(it.payload)
		} else {
			n += quotedSize(it.payload)
		}
		if o := it.errObj; o != nil {
			n += 52 + quotedSize(aws.ToString(o.ErrorType)) + quotedSize(aws.ToString(o.ErrorMessage)) + quotedSize(aws.ToString(o.ErrorData))
		}
	}
	return n
}

// quotedSize bounds the length of s as a JSON string for most text: JSON
// text inside, with a quote escaped every few characters, grows by less
// than half.
func quotedSize(s string) int { return 2 + len(s) + len(s)/2 }

// encodeBatchPayload is the payload of a finished batch: the plain JSON
// form, or the BatchResult serialized with WithBatchResultSerdes.
func encodeBatchPayload(b *batchOutcome, cfg *batchConfig) (string, error) {
	if cfg.encodeResult != nil {
		return cfg.encodeResult(b)
	}
	return encodeBatch(b, isDefaultSerdes(cfg.item.sd)), nil
}

// decodeBatchPayload reads what encodeBatchPayload wrote for the batch name.
func decodeBatchPayload(payload string, cfg *batchConfig, name string) (*batchOutcome, error) {
	if cfg.decodeResult != nil {
		v, err := cfg.decodeResult(payload)
		if err != nil {
			return nil, err
		}
		return &batchOutcome{typed: v}, nil
	}
	out, err := decodeBatch(payload, isDefaultSerdes(cfg.item.sd))
	if err != nil {
		return nil, &SerdesError{What: "the payload of " + cfg.kind.what + " " + quote(name), Err: err}
	}
	return out, nil
}

type batchJSON struct {
	All []struct {
		Index  int             `json:"index"`
		Status BatchItemStatus `json:"status"`
		Result json.RawMessage `json:"result"`
		Error  *errorJSON      `json:"error"`
	} `json:"all"`
	CompletionReason CompletionReason `json:"completionReason"`
}

func decodeBatch(payload string, plainJSON bool) (*batchOutcome, error) {
	var j batchJSON
	if err := json.Unmarshal([]byte(payload), &j); err != nil {
		return nil, err
	}
	out := &batchOutcome{reason: j.CompletionReason, items: make([]itemOutcome, len(j.All))}
	for k, it := range j.All {
		o := itemOutcome{index: it.Index, status: it.Status}
		switch it.Status {
		case BatchItemSucceeded:
			o.payload = string(it.Result)
			if !plainJSON {
				if err := json.Unmarshal(it.Result, &o.payload); err != nil {
					return nil, fmt.Errorf("item %d: %w", it.Index, err)
				}
			}
		case BatchItemFailed:
			o.errObj = fromErrorJSON(it.Error)
		case BatchItemStarted:
		default:
			return nil, fmt.Errorf("item %d has status %q", it.Index, it.Status)
		}
		out.items[k] = o
	}
	return out, nil
}

func toErrorJSON(o *types.ErrorObject) errorJSON {
	if o == nil {
		return errorJSON{}
	}
	return errorJSON{ErrorType: aws.ToString(o.ErrorType), ErrorMessage: aws.ToString(o.ErrorMessage), ErrorData: aws.ToString(o.ErrorData)}
}

func fromErrorJSON(j *errorJSON) *types.ErrorObject {
	if j == nil {
		return nil
	}
	o := errObj(j.ErrorType, j.ErrorMessage, j.ErrorData)
	return &o
}

// batchSummary replaces a Parallel payload over 256 KiB; the Parallel is then
// recorded with ReplayChildren and a replay rebuilds each item from its
// branch's own record.
type batchSummary struct {
	Type             string           `json:"type"`
	TotalCount       int              `json:"totalCount"`
	CompletionReason CompletionReason `json:"completionReason"`
	StartedIndexes   []int            `json:"startedIndexes"`
	StartedCount     int              `json:"startedCount"`
	SuccessCount     int              `json:"successCount"`
	FailureCount     int              `json:"failureCount"`
	Status           BatchItemStatus  `json:"status"`
}

func encodeSummary(b *batchOutcome, k *batchKind) string {
	s := batchSummary{Type: k.summaryType, TotalCount: len(b.items), CompletionReason: b.reason, StartedIndexes: []int{}, Status: BatchItemSucceeded}
	for _, it := range b.items {
		switch it.status {
		case BatchItemStarted:
			s.StartedIndexes = append(s.StartedIndexes, it.index)
			s.StartedCount++
		case BatchItemSucceeded:
			s.SuccessCount++
		case BatchItemFailed:
			s.FailureCount++
			s.Status = BatchItemFailed
		}
	}
	out, _ := json.Marshal(s)
	return string(out)
}

// replaySummary rebuilds a Parallel or Map recorded with ReplayChildren. Items
// are admitted in index order, so the started ones are 0..TotalCount-1; each
// finished one is resolved from its branch record (a FLAT branch runs again
// with its operations replayed). p is the Parallel's own context.
func (p *dctx) replaySummary(rec *types.Operation, cfg *batchConfig, specs []branchSpec) (*batchOutcome, error) {
	var s batchSummary
	if err := json.Unmarshal([]byte(aws.ToString(rec.ContextDetails.Result)), &s); err != nil {
		return nil, &SerdesError{What: "the summary of " + cfg.kind.what + " " + p.parentID, Err: err}
	}
	out := &batchOutcome{reason: s.CompletionReason}
	for i := 0; i < s.TotalCount && i < len(specs); i++ {
		it := itemOutcome{index: i, status: BatchItemStarted}
		path := childPath(p.path, i+1)
		id := hashID(path)
		flat := cfg.nesting == NestingFlat
		if !slices.Contains(s.StartedIndexes, i) {
			if br := p.exec.get(id); flat || (br != nil && terminal(br.Status)) {
				r := p.runContext(p.Context, id, path, cfg.kind.itemSub, specs[i].name, flat, nil, nil, specs[i].run)
				switch {
				case r.err != nil:
					return nil, r.err
				case r.errObj != nil:
					it.status, it.errObj = BatchItemFailed, r.errObj
				default:
					it.status, it.payload = BatchItemSucceeded, r.payload
				}
			}
		}
		out.items = append(out.items, it)
	}
	return out, nil
}
