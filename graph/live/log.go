package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"jobgraph/restclient"
)

// pollLog reads the job, then its log when there can be news in it.
// GitLab's trace route answers the whole log and honours no Range, so each
// read streams the log once and sends its bytes from the lowest one anybody
// is owed: the end of what was sent, or less for a subscriber that joined
// (or, in a fleet, missed bytes) since. A read whose Content-Length says the
// log has not grown, with nobody asking for old bytes, is closed unread.
func (p *poller) pollLog(ctx context.Context) (outcome, error) {
	j, err := p.getJob(ctx)
	if err != nil {
		return outcome{}, err
	}
	final := Final(string(j.Status))
	if j.StartedAt == nil && !final {
		return outcome{}, nil // no log before the job starts
	}
	p.mu.Lock()
	floor := p.floor
	p.mu.Unlock()
	from := min(floor, p.published)
	if from == noWant {
		return outcome{}, nil // nobody is owed a byte yet
	}
	p.hub.counted(restclient.RouteJobTrace)
	stream, resp, err := p.hub.client.GetJobLog(ctx, p.project(), p.key.ID)
	if err != nil {
		return outcome{}, err
	}
	defer stream.Close()
	if !final && floor >= p.published && resp.ContentLength >= 0 && resp.ContentLength == p.logSize {
		return outcome{active: false}, nil
	}
	size, sent, complete, err := p.sendLog(ctx, stream, from, final)
	if err != nil {
		return outcome{}, err
	}
	p.mu.Lock()
	if p.floor >= floor {
		p.floor = noWant
	}
	p.mu.Unlock()
	grew := size > p.logSize
	p.logSize, p.published = size, sent
	return outcome{active: grew || !complete, final: final && complete}, nil
}

// sendLog streams one read of the log and sends its bytes from byte from
// on, in chunks of at most MaxChunkBytes that end at a line's end (or, for a
// line longer than a chunk, at a character's end) while the job runs; the
// job's last bytes go once it is final. It returns the log's length and
// where the bytes sent end; a chunk the subscribers did not get (Redis did
// not take it) ends the sending (complete is false), to be sent again by the
// next read.
func (p *poller) sendLog(ctx context.Context, r io.Reader, from int64, final bool) (size, sent int64, complete bool, err error) {
	maxChunk := p.hub.cfg.MaxChunkBytes
	var pending []byte // the log from byte sent on
	sent = from
	lost := false
	emit := func(n int) {
		if lost {
			return
		}
		c := Chunk{From: sent, To: sent + int64(n), Data: bytes.Clone(pending[:n])}
		if !p.send(&event{Chunk: &c}) {
			lost = true
			return
		}
		sent += int64(n)
		pending = pending[n:]
	}
	buf := make([]byte, 32<<10)
	var pos int64
	for {
		n, rerr := r.Read(buf)
		if start := sent + int64(len(pending)); !lost && start >= pos && start < pos+int64(n) {
			pending = append(pending, buf[start-pos:n]...)
		}
		for !lost && len(pending) >= maxChunk {
			emit(cut(pending[:maxChunk]))
		}
		pos += int64(n)
		if ctx.Err() != nil {
			return 0, 0, false, ctx.Err()
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return 0, 0, false, fmt.Errorf("reading job %d's log at byte %d: %w", p.key.ID, pos, rerr)
		}
	}
	rest := len(pending)
	if !final {
		rest = bytes.LastIndexByte(pending, '\n') + 1
	}
	if rest > 0 {
		emit(rest)
	}
	return pos, sent, !lost, nil
}

// cut is where a full chunk ends: after its last newline, or else after its
// last whole UTF-8 character, so no chunk splits a character.
func cut(b []byte) int {
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return i + 1
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) || i == 0 {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}
