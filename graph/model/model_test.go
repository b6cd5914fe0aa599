package model

import (
	"errors"
	"testing"
)

func TestStatusIsCheckedAgainstTheSchema(t *testing.T) {
	j := &Job{CommonJobFields: CommonJobFields{RawStatus: JobStatusWaitingForCallback}}
	if s, err := j.Status(); err != nil || s != JobStatusWaitingForCallback {
		t.Fatalf("Status() = %v, %v", s, err)
	}
	j.RawStatus = "WAITING_FOR_GODOT"
	if _, err := j.Status(); !errors.Is(err, ErrUnknownStatus) {
		t.Fatalf("an unknown status gives %v, want ErrUnknownStatus", err)
	}
	p := &Pipeline{RawStatus: "NEW_THING"}
	if _, err := p.Status(); !errors.Is(err, ErrUnknownStatus) {
		t.Fatalf("an unknown pipeline status gives %v, want ErrUnknownStatus", err)
	}
}

func TestActionFlags(t *testing.T) {
	cases := []struct {
		status                                    JobStatus
		archived, erased                          bool
		cancelable, retryable, playable, erasable bool
	}{
		{JobStatusRunning, false, false, true, false, false, false},
		{JobStatusWaitingForCallback, false, false, true, false, false, false},
		{JobStatusFailed, false, false, false, true, false, true},
		{JobStatusFailed, true, false, false, false, false, true},
		{JobStatusSuccess, false, true, false, true, false, false},
		{JobStatusManual, false, false, false, false, true, false},
		{JobStatusScheduled, false, false, true, false, true, false},
		{JobStatusCanceling, false, false, false, false, false, false},
		{JobStatusSkipped, false, false, false, false, false, true},
	}
	for _, c := range cases {
		j := &Job{CommonJobFields: CommonJobFields{RawStatus: c.status}, Archived: c.archived}
		if c.erased {
			j.ErasedAt = new(j.CreatedAt)
		}
		got := [4]bool{j.Cancelable(), j.Retryable(), j.Playable(), j.Erasable()}
		want := [4]bool{c.cancelable, c.retryable, c.playable, c.erasable}
		if got != want {
			t.Errorf("%s archived=%v erased=%v: cancel/retry/play/erase = %v, want %v", c.status, c.archived, c.erased, got, want)
		}
	}
}
