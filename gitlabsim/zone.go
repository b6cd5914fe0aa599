package gitlabsim

import (
	"fmt"
	"time"
	// The world's users live in named zones; embedding the database keeps their
	// local_time the same on machines without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// zone loads a seeded IANA zone; the names are constants, so a failure is a bug.
func zone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("gitlabsim: seeded time zone %q: %v", name, err))
	}
	return loc
}
