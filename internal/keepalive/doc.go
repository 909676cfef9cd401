// Package keepalive makes an aws-sdk-go-v2 client's requests reuse their
// TCP connections.
//
// smithy-go hands net/http a request body that reports io.EOF from WriteTo
// once closed, and closes it as soon as the response is back. net/http
// writes such a body (not a type it knows to be in memory) after flushing
// the headers on their own, then reads it once more to see its end; when the
// response wins that race, the extra read fails, net/http takes it for a
// failed write and drops the connection, so the next request dials again.
// [Client] reads the body into memory first, so net/http sends the request
// in one write, the extra read cannot fail, and the body can be replayed.
package keepalive
