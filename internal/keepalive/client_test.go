package keepalive_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dpcheck/dpcheck/internal/keepalive"
)

// streamBody is a body net/http cannot tell is in memory, as smithy-go's is.
type streamBody struct {
	r      io.Reader
	closed bool
}

func (b *streamBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *streamBody) Close() error               { b.closed = true; return nil }

// recorder is an HTTPClient that keeps the request it was given.
type recorder struct{ got *http.Request }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

func TestClientSendsTheBodyFromMemory(t *testing.T) {
	for _, length := range []int64{5, -1} {
		body := &streamBody{r: strings.NewReader("hello")}
		req := httptest.NewRequest(http.MethodPost, "http://example.test/x", nil)
		req.Body, req.ContentLength = body, length
		var rec recorder
		if _, err := (keepalive.Client{Inner: &rec}).Do(req); err != nil {
			t.Fatal(err)
		}
		if !body.closed {
			t.Errorf("length %d: the original body was not closed", length)
		}
		if rec.got == req {
			t.Errorf("length %d: the caller's request was sent, not a copy", length)
		}
		if req.Body != body {
			t.Errorf("length %d: the caller's request was changed", length)
		}
		if rec.got.ContentLength != 5 {
			t.Errorf("length %d: ContentLength %d, want 5", length, rec.got.ContentLength)
		}
		for i, read := range []func() (io.ReadCloser, error){
			func() (io.ReadCloser, error) { return rec.got.Body, nil },
			rec.got.GetBody,
			rec.got.GetBody,
		} {
			rc, err := read()
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(rc); string(b) != "hello" {
				t.Errorf("length %d: read %d gave %q, want hello", length, i, b)
			}
		}
	}
}

func TestClientReportsABodyItCannotRead(t *testing.T) {
	broken := errors.New("disk gone")
	req := httptest.NewRequest(http.MethodPost, "http://example.test/x", nil)
	req.Body, req.ContentLength = &streamBody{r: io.MultiReader(strings.NewReader("he"), errReader{broken})}, 5
	var rec recorder
	_, err := (keepalive.Client{Inner: &rec}).Do(req)
	var be *keepalive.BodyError
	if !errors.As(err, &be) || !errors.Is(err, broken) {
		t.Fatalf("error %v, want a *BodyError wrapping %v", err, broken)
	}
	if !strings.HasPrefix(err.Error(), "keepalive: ") || rec.got != nil {
		t.Errorf("error %q (want the package prefix), request sent: %v", err, rec.got != nil)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestClientPassesBodilessRequests(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "http://example.test/x", nil)
	var rec recorder
	if _, err := (keepalive.Client{Inner: &rec}).Do(req); err != nil {
		t.Fatal(err)
	}
	if rec.got != req {
		t.Error("a request without a body was copied")
	}
}

func TestLambdaOptionWrapsOnce(t *testing.T) {
	inner := &recorder{}
	o := lambda.Options{HTTPClient: inner}
	keepalive.LambdaOption(&o)
	keepalive.LambdaOption(&o)
	c, ok := o.HTTPClient.(keepalive.Client)
	if !ok || c.Inner != inner {
		t.Fatalf("HTTPClient %#v, want keepalive.Client around the original", o.HTTPClient)
	}
}
