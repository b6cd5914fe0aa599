package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
)

// Codes of requests refused before any GraphQL work, as GraphQL over HTTP
// prescribes their statuses.
const (
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	CodeBadRequest           = "BAD_REQUEST"
	CodeRequestTooLarge      = "REQUEST_TOO_LARGE"
)

// admitRequest answers, and reports false for, the requests GraphQL over HTTP
// refuses before any GraphQL work: methods other than GET and POST (405 with
// Allow), a POST body that is not application/json (415), larger than
// maxBody (413), or not a JSON request object (400). gqlgen would answer all
// of these with 400, the last with the whole body echoed in its message. The
// body of an admitted POST is handed on, read into memory (at most maxBody).
func admitRequest(w http.ResponseWriter, r *http.Request, maxBody int64) bool {
	switch r.Method {
	case http.MethodGet:
		return true
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		refuse(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "GraphQL is served over GET and POST")
		return false
	}
	if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
		refuse(w, http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "a POST body must be application/json")
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		refuse(w, http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "the request body is larger than the limit")
		return false
	case err != nil:
		refuse(w, http.StatusBadRequest, CodeBadRequest, "the request body could not be read")
		return false
	}
	var params *struct {
		Query         string                     `json:"query"`
		OperationName string                     `json:"operationName"`
		Variables     map[string]json.RawMessage `json:"variables"`
		Extensions    map[string]json.RawMessage `json:"extensions"`
	}
	if json.Unmarshal(body, &params) != nil || params == nil {
		refuse(w, http.StatusBadRequest, CodeBadRequest,
			"the request body is not a GraphQL request: a JSON object with a query string, and optionally operationName, variables and extensions")
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

// refuse answers a request error in GraphQL's response form, without data:
// execution never started.
func refuse(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]string{"code": code}}},
	})
}
