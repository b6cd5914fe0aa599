package model

import "fmt"

// TailArgs are the arguments of one JobLog.tail field.
type TailArgs struct{ Lines, MaxBytes int }

// RangeArgs are the arguments of one JobLog.range field.
type RangeArgs struct {
	FromByte int64
	MaxBytes int
}

// JobLog is a job's log as one read of it found it: every window the query
// asked for is read together, then each field answers from here.
type JobLog struct {
	SizeBytes *int64
	Sections  []*LogSection
	Tails     map[TailArgs]*LogText
	Ranges    map[RangeArgs]*LogText
}

// Tail is the window read for tail(lines:, maxBytes:).
func (l *JobLog) Tail(lines, maxBytes int) (*LogText, error) {
	return window(l.Tails, TailArgs{lines, maxBytes})
}

// Range is the window read for range(fromByte:, maxBytes:).
func (l *JobLog) Range(fromByte int64, maxBytes int) (*LogText, error) {
	return window(l.Ranges, RangeArgs{fromByte, maxBytes})
}

func window[K comparable](read map[K]*LogText, args K) (*LogText, error) {
	if w, ok := read[args]; ok {
		return w, nil
	}
	return nil, fmt.Errorf("job log window %+v was not read with the others", args)
}
