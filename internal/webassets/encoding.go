package webassets

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strconv"
	"strings"
)

// gzipBytes compresses an asset; GraphiQL's bundle shrinks from 5.3 MB to
// about 1.5 MB, which matters to browsers that reach the server over a network.
func gzipBytes(body []byte) ([]byte, error) {
	var compressed bytes.Buffer
	writer := gzip.NewWriter(&compressed)
	if _, err := writer.Write(body); err != nil {
		return nil, fmt.Errorf("gzip asset: %w", err)
	}
	if err := writer.Close(); err != nil {
		return nil, fmt.Errorf("gzip asset: %w", err)
	}
	return compressed.Bytes(), nil
}

// acceptsGzip reports whether an Accept-Encoding header admits gzip, as
// RFC 9110 section 12.5.3 reads it: named or matched by "*", with a q-value
// above zero.
func acceptsGzip(acceptEncoding string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, element := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(element, ";")
		q := 1.0
		for _, param := range strings.Split(params, ";") {
			key, value, _ := strings.Cut(strings.TrimSpace(param), "=")
			if strings.EqualFold(key, "q") {
				parsed, err := strconv.ParseFloat(value, 64)
				if err != nil {
					parsed = 0
				}
				q = parsed
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "gzip", "x-gzip":
			gzipQ = q
		case "*":
			starQ = q
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
