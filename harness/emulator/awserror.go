package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// statusByCode is the HTTP status the Lambda API model gives each error the
// emulator can answer with (the httpError trait in the SDK's schemas). An
// error missing here falls back on its fault: 400 for a client error, 500
// for a server error.
var statusByCode = map[string]int{
	"InvalidParameterValueException":          http.StatusBadRequest,
	"InvalidRequestContentException":          http.StatusBadRequest,
	"CallbackTimeoutException":                http.StatusBadRequest,
	"ResourceNotFoundException":               http.StatusNotFound,
	"DurableExecutionAlreadyStartedException": http.StatusConflict,
	"ResourceConflictException":               http.StatusConflict,
	"RequestTooLargeException":                http.StatusRequestEntityTooLarge,
	"UnsupportedMediaTypeException":           http.StatusUnsupportedMediaType,
	"TooManyRequestsException":                http.StatusTooManyRequests,
	"ServiceException":                        http.StatusInternalServerError,
	"ServiceUnavailableException":             http.StatusServiceUnavailable,
}

// apiError is an error the emulator itself raises, with the service's name.
type apiError struct {
	code    string
	message string
}

func (e *apiError) Error() string                 { return e.code + ": " + e.message }
func (e *apiError) ErrorCode() string             { return e.code }
func (e *apiError) ErrorMessage() string          { return e.message }
func (e *apiError) ErrorFault() smithy.ErrorFault { return faultOf(e.code) }

func faultOf(code string) smithy.ErrorFault {
	if statusByCode[code] >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

func invalidParameter(format string, args ...any) error {
	return &apiError{"InvalidParameterValueException", fmt.Sprintf(format, args...)}
}

func invalidContent(format string, args ...any) error {
	return &apiError{"InvalidRequestContentException", fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{"ResourceNotFoundException", fmt.Sprintf(format, args...)}
}

// errorBody is the shape Lambda sends for its exceptions: the SDKs read the
// code from the X-Amzn-ErrorType header or __type, the message from either
// spelling of message.
type errorBody struct {
	Type       string `json:"__type"`
	Kind       string `json:"Type"`
	Message    string `json:"Message"`
	MessageLow string `json:"message"`
}

// writeError answers err in the AWS restJson1 error shape. Typed SDK errors
// (types.ResourceNotFoundException and the like) keep their code; any other
// error is a ServiceException.
func writeError(w http.ResponseWriter, err error) {
	code, message, fault := "ServiceException", err.Error(), smithy.FaultServer
	var api smithy.APIError
	if errors.As(err, &api) {
		code, message, fault = api.ErrorCode(), api.ErrorMessage(), api.ErrorFault()
	}
	status, ok := statusByCode[code]
	if !ok {
		status = http.StatusBadRequest
		if fault == smithy.FaultServer {
			status = http.StatusInternalServerError
		}
	}
	kind := "User"
	if fault == smithy.FaultServer {
		kind = "Service"
	}
	var throttled *types.TooManyRequestsException
	if errors.As(err, &throttled) && throttled.RetryAfterSeconds != nil {
		w.Header().Set("Retry-After", *throttled.RetryAfterSeconds)
	}
	body, _ := json.Marshal(errorBody{Type: code, Kind: kind, Message: message, MessageLow: message})
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
