package model

import (
	"errors"
	"testing"
	"time"
)

func TestStatusIsCheckedAgainstTheSchema(t *testing.T) {
	j := &Job{CommonJobFields: CommonJobFields{RawStatus: CiStatusWaitingForCallback}}
	if s, err := j.Status(); err != nil || s != CiStatusWaitingForCallback {
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
		status                                    CiStatus
		archived, erased                          bool
		cancelable, retryable, playable, erasable bool
	}{
		{CiStatusRunning, false, false, true, false, false, false},
		{CiStatusWaitingForCallback, false, false, true, false, false, false},
		{CiStatusFailed, false, false, false, true, false, true},
		{CiStatusFailed, true, false, false, false, false, true},
		{CiStatusSuccess, false, true, false, true, false, false},
		{CiStatusManual, false, false, false, false, true, false},
		{CiStatusScheduled, false, false, true, false, true, false},
		{CiStatusCanceling, false, false, false, false, false, false},
		{CiStatusSkipped, false, false, false, false, false, true},
	}
	for _, c := range cases {
		j := &Job{CommonJobFields: CommonJobFields{RawStatus: c.status}, Archived: c.archived}
		if c.erased {
			j.ErasedAt = new(time.Time{})
		}
		got := [4]bool{j.Cancelable(), j.Retryable(), j.Playable(), j.Erasable()}
		want := [4]bool{c.cancelable, c.retryable, c.playable, c.erasable}
		if got != want {
			t.Errorf("%s archived=%v erased=%v: cancel/retry/play/erase = %v, want %v", c.status, c.archived, c.erased, got, want)
		}
	}
}
