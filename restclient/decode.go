package restclient

import (
	"context"
	"encoding/json"
	"io"
)

// getOne performs req and decodes one JSON object.
func getOne[T any](ctx context.Context, c *Client, req *request) (*T, *Response, error) {
	return fetch(ctx, c, req, func(v *T) bool { return v != nil })
}

// getList performs req and decodes a JSON array.
func getList[T any](ctx context.Context, c *Client, req *request) ([]*T, *Response, error) {
	return fetch(ctx, c, req, func(v []*T) bool { return v != nil })
}

// fetch performs req and decodes its body into a V, refusing a JSON null
// (present reports false) where the route promises a value.
func fetch[V any](ctx context.Context, c *Client, req *request, present func(V) bool) (V, *Response, error) {
	var out, zero V
	resp, _, err := c.execute(ctx, req, func(dec *json.Decoder) error {
		out = zero
		if err := dec.Decode(&out); err != nil {
			return err
		}
		if !present(out) {
			return errNull
		}
		return nil
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
