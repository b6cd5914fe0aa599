package restclient

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// pathSegment escapes one caller-supplied path segment so it stays one
// segment: "/" becomes %2F (GitLab's form for a project path), and "?", "#"
// and "%" are escaped too. "." and ".." are refused outright because servers
// and proxies in front of GitLab resolve them as directory steps.
func pathSegment(name, v string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", fmt.Errorf("%s is empty", name)
	}
	if v == "." || v == ".." {
		return "", fmt.Errorf("%s %q names no object", name, v)
	}
	return url.PathEscape(v), nil
}

// idSegment renders a numeric id; GitLab ids start at 1.
func idSegment(name string, id int64) (string, error) {
	if id <= 0 {
		return "", fmt.Errorf("%s %d: must be positive", name, id)
	}
	return strconv.FormatInt(id, 10), nil
}

// projectPath builds "/projects/<pid>" followed by the already-escaped tail.
func projectPath(pid string, tail ...string) (string, error) {
	seg, err := pathSegment("project id", pid)
	if err != nil {
		return "", err
	}
	return "/projects/" + seg + strings.Join(tail, ""), nil
}

// jobPath builds "/projects/<pid>/jobs/<jobID>" followed by suffix.
func jobPath(pid string, jobID int64, suffix string) (string, error) {
	id, err := idSegment("job id", jobID)
	if err != nil {
		return "", err
	}
	return projectPath(pid, "/jobs/", id, suffix)
}

// pipelinePath builds "/projects/<pid>/pipelines/<pipelineID>" followed by suffix.
func pipelinePath(pid string, pipelineID int64, suffix string) (string, error) {
	id, err := idSegment("pipeline id", pipelineID)
	if err != nil {
		return "", err
	}
	return projectPath(pid, "/pipelines/", id, suffix)
}

// url joins an escaped API path and a query onto GitLab's API root.
func (c *Client) url(escapedPath string, query url.Values) (*url.URL, error) {
	raw := c.base.RawPath + escapedPath
	path, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", raw, err)
	}
	u := c.base
	u.Path, u.RawPath = path, raw
	u.RawQuery = query.Encode()
	return &u, nil
}
