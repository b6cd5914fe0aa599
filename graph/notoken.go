package graph

import (
	"context"
	"errors"
	"net/http"

	"jobgraph/restclient"
)

// noTokenHint says that no token was sent when GitLab answered a caller
// without credentials 401 or 404. GitLab hides private projects from
// anonymous callers behind "404 Project Not Found", which reads as a wrong
// path to someone who cleared GraphiQL's headers.
func noTokenHint(ctx context.Context, err error, message string) string {
	var rest *restclient.Error
	if !errors.As(err, &rest) || (rest.StatusCode != http.StatusUnauthorized && rest.StatusCode != http.StatusNotFound) {
		return message
	}
	if _, ok := restclient.CredentialsFrom(ctx); ok {
		return message
	}
	return message + " (no GitLab token was sent: pass one as Authorization: Bearer, PRIVATE-TOKEN or JOB-TOKEN)"
}
