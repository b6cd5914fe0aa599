package paging

import (
	"errors"
	"fmt"
)

// MaxPageSize is the largest page a client may ask for, GitLab's own limit.
const MaxPageSize = 100

// DefaultPageSize is used when a client gives neither first nor last,
// GitLab's REST default.
const DefaultPageSize = 20

// ErrBadArgs is wrapped by every argument validation error.
var ErrBadArgs = errors.New("invalid pagination arguments")

// Args are a connection field's Relay arguments as the client sent them.
type Args struct {
	First, Last   *int
	After, Before *string
}

// Request is a validated Args.
type Request struct {
	// Size is how many items to return; Backward means they are the last Size.
	Size     int
	Backward bool
	After    *Cursor
	Before   *Cursor
}

// Validate checks the arguments and decodes the cursors.
func (a Args) Validate() (Request, error) {
	if a.First != nil && a.Last != nil {
		return Request{}, fmt.Errorf("%w: pass first or last, not both", ErrBadArgs)
	}
	req := Request{Size: DefaultPageSize}
	for name, v := range map[string]*int{"first": a.First, "last": a.Last} {
		if v == nil {
			continue
		}
		if *v < 1 || *v > MaxPageSize {
			return Request{}, fmt.Errorf("%w: %s must be between 1 and %d, got %d", ErrBadArgs, name, MaxPageSize, *v)
		}
		req.Size = *v
	}
	req.Backward = a.Last != nil
	for name, s := range map[string]*string{"after": a.After, "before": a.Before} {
		if s == nil {
			continue
		}
		c, err := ParseCursor(*s)
		if err != nil {
			return Request{}, fmt.Errorf("%w: %s: %w", ErrBadArgs, name, err)
		}
		if name == "after" {
			req.After = &c
		} else {
			req.Before = &c
		}
	}
	return req, nil
}
