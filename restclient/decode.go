package restclient

import (
	"context"
	"io"

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
	resp, _, err := c.execute(ctx, req, func(body io.Reader) error {
		out = zero
		if err := decodeBody(body, &out); err != nil {
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
