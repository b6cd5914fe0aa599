package gitlabsim

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// serveControl serves the simulator's own endpoints; they are never counted or faulted.
//
//	GET  /_sim/stats    request counts per route
//	POST /_sim/reset    zero the counts
//	GET  /_sim/faults   the current fault plan; PUT replaces it (JSON Faults)
//	PUT  /_sim/latency  {"fixed":"20ms","jitter":"5ms"}
//	GET  /_sim/tokens   the seeded credentials
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request, path string) {
	switch r.Method + " " + path {
	case "GET /_sim/stats":
		writeJSON(w, http.StatusOK, s.Stats())
	case "POST /_sim/reset":
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	case "GET /_sim/faults":
		writeJSON(w, http.StatusOK, s.currentFaults())
	case "PUT /_sim/faults":
		var f Faults
		if !decodeControl(w, r, &f) {
			return
		}
		if err := f.Validate(); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.SetFaults(f)
		writeJSON(w, http.StatusOK, f)
	case "PUT /_sim/latency":
		var body struct{ Fixed, Jitter string }
		if !decodeControl(w, r, &body) {
			return
		}
		fixed, err1 := parseOptionalDuration(body.Fixed)
		jitter, err2 := parseOptionalDuration(body.Jitter)
		if err1 != nil || err2 != nil || fixed < 0 || jitter < 0 {
			writeError(w, http.StatusBadRequest, "fixed and jitter must be non-negative Go durations such as 20ms")
			return
		}
		s.SetLatency(fixed, jitter)
		w.WriteHeader(http.StatusNoContent)
	case "GET /_sim/tokens":
		writeJSON(w, http.StatusOK, Tokens())
	default:
		writeError(w, http.StatusNotFound, "404 Not Found")
	}
}

func decodeControl(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func parseOptionalDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}
