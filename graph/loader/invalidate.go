package loader

// ForgetJobsAndPipelines drops every job, pipeline and list the operation has
// read so far. A mutation calls it after each action: the action may have
// changed any job of the pipeline (a retry adds one, a pipeline cancel changes
// many, a failed call may still have acted), so nothing read before it may
// answer a field read after it. Calls still running keep their waiters; later
// callers start new ones.
func (l *Loaders) ForgetJobsAndPipelines() {
	l.jobs.ClearAll()
	l.pipelines.ClearAll()
	l.bridges.ClearAll()
	l.mu.Lock()
	clear(l.shared)
	l.mu.Unlock()
}
