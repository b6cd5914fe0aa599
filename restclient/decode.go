package restclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"

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
	d := onceDecodings.Get().(*onceDecoding)
	defer d.release()
	return json.UnmarshalRead(body, out, d.opts)
}

// onceDecoding decodes one body at a time, remembering the embedded objects
// it has decoded (see decodeOnce). It is pooled rather than built per body
// because json caches, per set of unmarshalers, which of them apply to each
// type; a fresh set per body rebuilt that cache every time, which cost more
// than the decoding it saved.
type onceDecoding struct {
	opts   json.Options
	forget []func() // empty the memories once the body is decoded
}

var onceDecodings = sync.Pool{New: func() any {
	d := &onceDecoding{}
	d.opts = json.JoinOptions(decodeOptions, json.WithUnmarshalers(json.JoinUnmarshalers(
		decodeOnce[User](d), decodeOnce[Commit](d), decodeOnce[PipelineInfo](d),
		decodeOnce[Runner](d), decodeOnce[RunnerManager](d))))
	return d
}}

// release forgets the body's objects, so the pool holds no decoded data, and
// returns d to the pool.
func (d *onceDecoding) release() {
	for _, forget := range d.forget {
		forget()
	}
	onceDecodings.Put(d)
}

// decodeOnce decodes each distinct JSON text of a T once per body. The jobs of
// a page embed their user, commit, pipeline and runner in full, and most share
// a handful of each (GitLab's 100 demo jobs: 4 users, 14 commits), so a later
// copy is only scanned, found byte-identical, and given the pointer the first
// one decoded to. Callers treat decoded values as read-only, which makes the
// sharing safe.
func decodeOnce[T any](d *onceDecoding) *json.Unmarshalers {
	decoded := map[string]*T{}
	d.forget = append(d.forget, func() { clear(decoded) })
	return json.UnmarshalFromFunc(func(dec *jsontext.Decoder, p **T) error {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		switch {
		case raw.Kind() == 'n':
			*p = nil
			return nil
		case *p != nil:
			return locate(mergeInto(p, raw), dec, len(raw))
		}
		if v, ok := decoded[string(raw)]; ok {
			*p = v
			return nil
		}
		v := new(T)
		if err := json.Unmarshal(raw, v, decodeOptions); err != nil {
			return locate(err, dec, len(raw))
		}
		decoded[string(raw)] = v
		*p = v
		return nil
	})
}

// locate places an error from decoding an embedded object, the size bytes
// dec just read, within the whole body, as if the body's decoder had met it:
// "/1/user/id", not "/id".
func locate(err error, dec *jsontext.Decoder, size int) error {
	var se *json.SemanticError
	if !errors.As(err, &se) {
		return err
	}
	located := *se
	located.JSONPointer = dec.StackPointer() + se.JSONPointer
	located.ByteOffset += dec.InputOffset() - int64(size)
	return &located
}

// mergeInto decodes a repeated member into the value the first one decoded
// to, as encoding/json does. That value may be shared, so the merge happens
// in a deep copy, made by a round trip through JSON (maps and slices would
// otherwise be reused) that keeps nil slices and maps nil.
func mergeInto[T any](p **T, raw jsontext.Value) error {
	first, err := json.Marshal(*p, json.FormatNilSliceAsNull(true), json.FormatNilMapAsNull(true))
	if err != nil {
		return err
	}
	merged := new(T)
	if err := json.Unmarshal(first, merged, decodeOptions); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, merged, decodeOptions); err != nil {
		return err
	}
	*p = merged
	return nil
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
