package gitlabsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Rails does not escape <, > and & in JSON; neither do we.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"message":"500 Internal Server Error"}`, http.StatusInternalServerError)
		return
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeMessage answers GitLab's render_api_error! shape: {"message": "..."}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeError answers Grape's validation and error! shape: {"error": "..."}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func unauthorized(w http.ResponseWriter) {
	writeMessage(w, http.StatusUnauthorized, "401 Unauthorized")
}

func forbidden(w http.ResponseWriter, reason string) {
	msg := "403 Forbidden"
	if reason != "" {
		msg += " - " + reason
	}
	writeMessage(w, http.StatusForbidden, msg)
}

// notFound answers not_found!(resource): "404 <Resource> Not Found".
func notFound(w http.ResponseWriter, resource string) {
	writeMessage(w, http.StatusNotFound, "404 "+resource+" Not Found")
}

// internalError answers what GitLab's catch-all rescue_from renders for an
// unhandled exception.
func internalError(w http.ResponseWriter) {
	writeMessage(w, http.StatusInternalServerError, "500 Internal Server Error")
}

// recordNotFound answers what GitLab's ActiveRecord::RecordNotFound handler renders.
func recordNotFound(w http.ResponseWriter) { writeMessage(w, http.StatusNotFound, "404 Not found") }
