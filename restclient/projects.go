package restclient

import (
	"context"
	"net/http"
)

// ListProjects lists the projects the caller can see.
func (c *Client) ListProjects(ctx context.Context, opt *ListProjectsOptions) ([]*Project, *Response, error) {
	query, queryErr := opt.encode()
	req, err := newRequest(http.MethodGet, RouteProjects, "/projects", nil, query, queryErr)
	if err != nil {
		return nil, nil, err
	}
	return getList[Project](ctx, c, req)
}

// GetProject returns one project by numeric id or full path.
func (c *Client) GetProject(ctx context.Context, pid string) (*Project, *Response, error) {
	path, pathErr := projectPath(pid)
	req, err := get(RouteProject, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Project](ctx, c, req)
}

// GetCommit returns one commit with its detail fields; sha may also be a
// branch or tag name, escaped like a project path.
func (c *Client) GetCommit(ctx context.Context, pid string, sha string) (*Commit, *Response, error) {
	seg, shaErr := pathSegment("commit sha", sha)
	path, pathErr := projectPath(pid, "/repository/commits/", seg)
	if shaErr != nil {
		pathErr = shaErr
	}
	req, err := get(RouteCommit, path, pathErr)
	if err != nil {
		return nil, nil, err
	}
	return getOne[Commit](ctx, c, req)
}
