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

// Version is GitLab's release, as GET /version answers it.
type Version struct {
	Version  string `json:"version"`
	Revision string `json:"revision"`
}

// GetVersion returns GitLab's release. GitLab answers it to authenticated
// callers only; the fallback credentials serve when the context has none.
func (c *Client) GetVersion(ctx context.Context) (*Version, *Response, error) {
	req, err := get(RouteVersion, "/version", nil)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Version](ctx, c, req)
}
