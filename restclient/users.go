package restclient

import "context"

// GetUser returns one user.
func (c *Client) GetUser(ctx context.Context, userID int64) (*User, *Response, error) {
	id, idErr := idSegment("user id", userID)
	req, err := get(RouteUser, "/users/"+id, idErr)
	if err != nil {
		return nil, nil, err
	}
	return getOne[User](ctx, c, req)
}

// CurrentUser returns the user the caller's own credentials belong to. It
// never uses the fallback credentials, whose owner is not the caller; without
// caller credentials it fails with KindUnauthenticated and sends nothing.
func (c *Client) CurrentUser(ctx context.Context) (*User, *Response, error) {
	req, err := get(RouteCurrentUser, "/user", nil)
	if err != nil {
		return nil, nil, err
	}
	req.creds = callerOnly
	return getOne[User](ctx, c, req)
}
