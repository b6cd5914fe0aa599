package gitlabsim

import "maps"

// unmatchedKey counts requests that matched no route.
const unmatchedKey = "unmatched"

func (s *Sim) count(key string) {
	s.statsMu.Lock()
	s.stats[key]++
	s.statsMu.Unlock()
}

// Stats returns how many requests each route served, keyed "METHOD /api/v4/<template>"
// (for example "GET /api/v4/projects/:id/jobs"), plus "unmatched". /_sim/ requests are not counted.
func (s *Sim) Stats() map[string]int64 {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return maps.Clone(s.stats)
}

// ResetStats zeroes the request counts.
func (s *Sim) ResetStats() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	clear(s.stats)
}
