package live

import (
	"encoding/json"
	"errors"
	"time"

	"jobgraph/restclient"
)

// event is what a poller found, for the subscribers of its key: in this
// process, handed over as is; in a fleet, published through Redis to every
// replica that has subscribers of the key. It also carries what replicas
// tell each other about a key's poller.
type event struct {
	Job      *restclient.Job      `json:"job,omitempty"`
	Pipeline *restclient.Pipeline `json:"pipeline,omitempty"`
	// Mark says what a state is, so that a state sent twice (by a poller
	// that took over, or as a snapshot) reaches no subscriber twice.
	Mark  string  `json:"mark,omitempty"`
	Chunk *Chunk  `json:"chunk,omitempty"`
	End   *ending `json:"end,omitempty"`

	// Want asks the poller for its newest state, or for a log from this byte.
	Want *int64 `json:"want,omitempty"`
	// Held says a replica began polling: every replica says what it wants.
	Held bool `json:"held,omitempty"`
	// Released says the replica that polled stopped: another may take over.
	Released bool `json:"released,omitempty"`
}

// ending ends a key's subscriptions: Err nil when the object reached its
// final state, after LogSize bytes for a log.
type ending struct {
	Err     error
	LogSize int64
}

// failure is an ending's error between replicas: restclient's typed error,
// so that each replica answers its subscribers with the same GraphQL code,
// or the words of any other error.
type failure struct {
	Kind       restclient.ErrorKind `json:"kind,omitempty"`
	StatusCode int                  `json:"status,omitempty"`
	Message    string               `json:"message,omitempty"`
	Method     string               `json:"method,omitempty"`
	Route      string               `json:"route,omitempty"`
	RetryAfter time.Duration        `json:"retryAfter,omitempty"`
	Text       string               `json:"text,omitempty"`
}

type wireEnding struct {
	Failure *failure `json:"failure,omitempty"`
	LogSize int64    `json:"logSize,omitempty"`
}

func (e ending) MarshalJSON() ([]byte, error) {
	w := wireEnding{LogSize: e.LogSize}
	var rest *restclient.Error
	switch {
	case errors.As(e.Err, &rest):
		w.Failure = &failure{Kind: rest.Kind, StatusCode: rest.StatusCode, Message: rest.Message,
			Method: rest.Method, Route: rest.Route, RetryAfter: rest.RetryAfter}
	case e.Err != nil:
		w.Failure = &failure{Text: e.Err.Error()}
	}
	return json.Marshal(w)
}

func (e *ending) UnmarshalJSON(b []byte) error {
	var w wireEnding
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	e.LogSize, e.Err = w.LogSize, nil
	switch f := w.Failure; {
	case f == nil:
	case f.Kind != 0:
		e.Err = &restclient.Error{Kind: f.Kind, StatusCode: f.StatusCode, Message: f.Message,
			Method: f.Method, Route: f.Route, RetryAfter: f.RetryAfter}
	default:
		e.Err = errors.New(f.Text)
	}
	return nil
}
