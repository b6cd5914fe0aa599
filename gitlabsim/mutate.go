package gitlabsim

import "math/rand/v2"

// AddPipeline creates a running pipeline with the standard build/test/deploy jobs on
// ref in a seeded project, with ids above every existing one, so tests can change the
// world between two page requests. It returns 0 and nil for an unknown project.
func (s *Sim) AddPipeline(projectID int64, ref string) (pipelineID int64, jobIDs []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.world.projectByID[projectID]
	if p == nil {
		return 0, nil
	}
	rng := rand.New(rand.NewPCG(uint64(s.world.seed), uint64(s.world.nextPipeID)))
	pl := s.world.newRunningPipeline(p, ref, UserMaintainer, rng.IntN)
	for _, j := range pl.Jobs {
		jobIDs = append(jobIDs, j.ID)
	}
	return pl.ID, jobIDs
}
