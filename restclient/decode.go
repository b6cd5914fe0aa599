package restclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeOptions keep the two points where json v2's defaults would refuse a
// body encoding/json accepted and GitLab can send. Invalid UTF-8 (a commit
// message is whatever bytes were committed) becomes U+FFFD, and a repeated
// member name is tolerated with the last one winning. Everything else v2 does
// by default already matches GitLab: unknown members are ignored, names match
// exactly (GitLab writes snake_case), null leaves a non-pointer field zero,
// and times are RFC 3339.
var decodeOptions = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// decodeBody decodes exactly one JSON value straight from body into out.
// json.UnmarshalRead insists that nothing but whitespace follows, so a
// truncated or padded body is caught rather than half-used.
func decodeBody(body io.Reader, out any) error {
	return json.UnmarshalRead(body, out, decodeOptions)
}

// Bodies that decode but carry no value where the route promises one.
var (
	errNull        = errors.New("body is JSON null")
	errEmptyObject = errors.New("object has none of the members the route promises")
)

// getOne performs req and decodes one JSON object. Every GitLab entity has at
// least an id, so an object that decodes to the zero value ({} or only
// unknown members) is no answer at all.
func getOne[T any](ctx context.Context, c *Client, req *request) (*T, *Response, error) {
	return fetch(ctx, c, req, func(v *T) error {
		switch {
		case v == nil:
			return errNull
		case reflect.ValueOf(v).Elem().IsZero():
			return errEmptyObject
		}
		return nil
	})
}

// getList performs req and decodes a JSON array. A null element would reach
// callers as a nil pointer, so it is refused like a null body.
func getList[T any](ctx context.Context, c *Client, req *request) ([]*T, *Response, error) {
	return fetch(ctx, c, req, func(v []*T) error {
		if v == nil {
			return errNull
		}
		for i, item := range v {
			if item == nil {
				return fmt.Errorf("list element %d: %w", i, errNull)
			}
		}
		return nil
	})
}

// fetch performs req and decodes its body into a V, which check then holds
// to what the route promises.
func fetch[V any](ctx context.Context, c *Client, req *request, check func(V) error) (V, *Response, error) {
	var out, zero V
	resp, _, err := c.execute(ctx, req, func(body io.Reader) error {
		out = zero
		if err := decodeBody(body, &out); err != nil {
			return err
		}
		return check(out)
	})
	if err != nil {
		return zero, resp, err
	}
	return out, resp, nil
}

// getStream performs req and hands over the open body.
func getStream(ctx context.Context, c *Client, req *request) (io.ReadCloser, *Response, error) {
	req.stream = true
	resp, body, err := c.execute(ctx, req, nil)
	if err != nil {
		return nil, resp, err
	}
	return body, resp, nil
}
