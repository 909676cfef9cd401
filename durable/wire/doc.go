// Package wire encodes the aws-sdk-go-v2 Lambda durable-execution shapes as the
// JSON the service puts on the wire, and decodes them back.
//
// The SDK only serializes inputs and deserializes outputs; a fake service, an
// HTTP emulator and an in-process runtime need the opposite directions too.
// Member names are the Go field names (they equal the Smithy member names),
// nil pointers and nil slices are omitted, empty enum strings are omitted, and
// *time.Time is an epoch number: seconds in API bodies and history events
// (Seconds), milliseconds in the invocation envelope's operations
// (Milliseconds). Numbers decoded by ToValue are json.Number.
package wire
