package keepalive

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// HTTPClient is what aws-sdk-go-v2 sends requests through.
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Client sends every request through Inner with its body in memory.
type Client struct {
	Inner HTTPClient
}

// Do reads the request body into memory, closes it and sends a copy of the
// request whose body net/http knows to be in memory and can replay.
func (c Client) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.Inner.Do(req)
	}
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	out := *req
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	out.ContentLength = int64(len(body))
	return c.Inner.Do(&out)
}

// readBody reads and closes req.Body: ContentLength bytes when it is known
// (net/http would send no more), else up to EOF.
func readBody(req *http.Request) ([]byte, error) {
	defer req.Body.Close()
	var body []byte
	var err error
	if n := req.ContentLength; n > 0 {
		body = make([]byte, n)
		_, err = io.ReadFull(req.Body, body)
	} else {
		body, err = io.ReadAll(req.Body)
	}
	if err != nil {
		return nil, &BodyError{Method: req.Method, URL: req.URL.String(), Err: err}
	}
	return body, nil
}

// BodyError is a request body that could not be read into memory.
type BodyError struct {
	Method, URL string
	Err         error
}

func (e *BodyError) Error() string {
	return fmt.Sprintf("keepalive: reading the body of %s %s: %v", e.Method, e.URL, e.Err)
}

func (e *BodyError) Unwrap() error { return e.Err }

// LambdaOption wraps a Lambda client's HTTP client in a Client; pass it to
// lambda.New or lambda.NewFromConfig.
func LambdaOption(o *lambda.Options) {
	if _, ok := o.HTTPClient.(Client); !ok {
		o.HTTPClient = Client{Inner: o.HTTPClient}
	}
}
