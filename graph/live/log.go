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
// read streams the log once and every subscriber takes what it is owed from
// that one pass; a read whose Content-Length says the log has not grown since
// the last is closed unread.
func (p *poller) pollLog(ctx context.Context) (outcome, error) {
	j, err := p.getJob(ctx)
	if err != nil {
		return outcome{}, err
	}
	final := Final(string(j.Status))
	if j.StartedAt == nil && !final {
		return outcome{}, nil // no log before the job starts
	}
	p.hub.counted(restclient.RouteJobTrace)
	stream, resp, err := p.hub.client.GetJobLog(ctx, p.project(), p.key.ID)
	if err != nil {
		return outcome{}, err
	}
	defer stream.Close()
	subs, fresh := p.hub.logReaders(p)
	if !final && !fresh && resp.ContentLength >= 0 && resp.ContentLength == p.logSize {
		return outcome{active: false}, nil
	}
	size, err := p.sendLog(ctx, stream, subs, final)
	if err != nil {
		return outcome{}, err
	}
	grew := size > p.logSize
	p.logSize = size
	return outcome{active: grew, final: final}, nil
}

// sendLog streams one read of the log past every subscriber: each gets the
// bytes from the one it is owed next, in chunks of at most MaxChunkBytes that
// end at a line's end (or, for a line longer than a chunk, at a character's
// end) while the job runs; the job's last bytes go once it is final. It
// returns the log's length.
func (p *poller) sendLog(ctx context.Context, r io.Reader, subs []*Subscription, final bool) (int64, error) {
	maxChunk := p.hub.cfg.MaxChunkBytes
	pending := make(map[*Subscription][]byte, len(subs))
	buf := make([]byte, 32<<10)
	var pos int64
	for {
		n, err := r.Read(buf)
		block := buf[:n]
		for _, s := range subs {
			if start := s.next + int64(len(pending[s])); start >= pos && start < pos+int64(n) {
				pending[s] = append(pending[s], block[start-pos:]...)
			}
			for len(pending[s]) >= maxChunk {
				if !p.sendChunk(ctx, s, pending, cut(pending[s][:maxChunk])) {
					break
				}
			}
		}
		pos += int64(n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("reading job %d's log at byte %d: %w", p.key.ID, pos, err)
		}
	}
	for _, s := range subs {
		rest := pending[s]
		if !final {
			rest = rest[:bytes.LastIndexByte(rest, '\n')+1]
		}
		for len(rest) > 0 {
			if !p.sendChunk(ctx, s, pending, len(rest)) {
				break
			}
			rest = rest[len(rest):]
		}
	}
	return pos, nil
}

// sendChunk delivers s's first n pending bytes and moves its offset past
// them, reporting false when s left or the poller stops.
func (p *poller) sendChunk(ctx context.Context, s *Subscription, pending map[*Subscription][]byte, n int) bool {
	data := bytes.Clone(pending[s][:n])
	if !s.deliver(ctx, Update{Chunk: Chunk{From: s.next, To: s.next + int64(n), Data: data}}) {
		delete(pending, s)
		return false
	}
	s.next += int64(n)
	pending[s] = pending[s][n:]
	return true
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
