package gitlabsim

import "testing"

func BenchmarkNewWorld(b *testing.B) {
	for b.Loop() {
		newWorld(1)
	}
}
