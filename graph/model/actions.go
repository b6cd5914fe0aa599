package model

// What a job's status allows, as GitLab's Ci::Build state machine decides it
// (HasStatus::CANCELABLE_STATUSES, Ci::Build#retryable?, #playable?,
// #erasable?). The gateway shows them so a UI can enable its buttons without
// a round trip; GitLab stays the judge when the action is taken.

// Cancelable reports whether the job can be canceled now.
func (j *Job) Cancelable() bool {
	switch j.RawStatus {
	case CiStatusCreated, CiStatusWaitingForResource, CiStatusPreparing, CiStatusWaitingForCallback,
		CiStatusPending, CiStatusRunning, CiStatusScheduled:
		return true
	}
	return false
}

// Retryable reports whether the job can be retried now.
func (j *Job) Retryable() bool {
	if j.Archived {
		return false
	}
	switch j.RawStatus {
	case CiStatusSuccess, CiStatusFailed, CiStatusCanceled:
		return true
	}
	return false
}

// Playable reports whether the job waits for a person to start it.
func (j *Job) Playable() bool {
	return !j.Archived && (j.RawStatus == CiStatusManual || j.RawStatus == CiStatusScheduled)
}

// Erasable reports whether the job is finished and not erased yet.
func (j *Job) Erasable() bool {
	if j.ErasedAt != nil {
		return false
	}
	switch j.RawStatus {
	case CiStatusSuccess, CiStatusFailed, CiStatusCanceled, CiStatusSkipped:
		return true
	}
	return false
}
