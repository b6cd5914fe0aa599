package webassets

import "testing"

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		acceptEncoding string
		want           bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"br;q=1.0, GZIP;q=0.5", true},
		{"x-gzip", true},
		{"gzip;q=0", false},
		{"gzip;q=0.000", false},
		{"gzip;q=nonsense", false},
		{"identity", false},
		{"*", true},
		{"*;q=0", false},
		{"*, gzip;q=0", false},
		{"deflate, br", false},
		{"gzipx", false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.acceptEncoding); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.acceptEncoding, got, tt.want)
		}
	}
}
