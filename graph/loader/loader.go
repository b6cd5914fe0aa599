// Package loader holds jobgraph's per-request dataloaders.
//
// GitLab's REST API has no batch endpoints, so a loader's job here is not to
// merge keys into one call but to make each distinct object cost one call per
// request however many fields ask for it, to let the objects that list
// responses already embed answer without a call (priming), and to start the
// calls of one query level together. The batch window is zero: waiting to
// collect keys would only add latency, as every key is its own call anyway.
//
// Loaders are created per request and die with it; they are never shared
// across requests, so nothing fetched with one caller's token is served to
// another.
package loader

import (
	"context"
	"strconv"
	"sync"

	"github.com/graph-gophers/dataloader/v7"
	"golang.org/x/sync/errgroup"

	"jobgraph/internal/safely"
	"jobgraph/restclient"
)

// ObjectKey names an object inside a project. Project is the project's key
// in GitLab's routes: its numeric id, or its full path when only that is
// known.
type ObjectKey struct {
	Project string
	ID      int64
}

// CommitKey names a commit inside a project.
type CommitKey struct {
	Project string
	SHA     string
}

// Loaders are one request's dataloaders.
type Loaders struct {
	jobs      *objects[ObjectKey, *restclient.Job]
	pipelines *objects[ObjectKey, *restclient.Pipeline]
	bridges   *objects[ObjectKey, []*restclient.Bridge]
	commits   *objects[CommitKey, *restclient.Commit]
	users     *objects[int64, *restclient.User]
	projects  *objects[string, *restclient.Project]

	mu     sync.Mutex
	shared map[string]*sharedCall
	// naive turns off priming and the sharing of identical calls.
	naive bool
	// dedup is told of each load answered without a call of its own, by
	// loader name ("jobs", ..., "shared" for list calls); nil tells nobody.
	dedup func(loader string)
}

// objects is one kind of object's dataloader and the cache it answers from.
type objects[K comparable, V any] struct {
	name  string
	cache dataloader.Cache[K, V]
	*dataloader.Loader[K, V]
}

// ObserveDedup tells hit of every load these loaders answer without a call
// of their own: from an object a list embedded, a call another field made,
// or a list page another field read. It returns l.
func (l *Loaders) ObserveDedup(hit func(loader string)) *Loaders {
	l.dedup = hit
	return l
}

func (l *Loaders) deduplicated(loader string) {
	if l.dedup != nil {
		l.dedup(loader)
	}
}

// sharedCall is one list call that identical requests in the same operation
// share. waiters and cancel are guarded by Loaders.mu.
type sharedCall struct {
	done    chan struct{}
	val     any
	err     error
	waiters int
	cancel  context.CancelFunc
}

// maxBridgePages bounds the pages read to find a pipeline's bridges; a
// pipeline with more than this many hundred trigger jobs is not one GitLab
// would run. A bridge past them is not found.
const maxBridgePages = 10

// New returns loaders that fetch through c with the credentials and the
// restclient.Budget of the context each load is made with.
func New(c *restclient.Client) *Loaders {
	return newLoaders(c, false)
}

// NewNaive returns loaders that neither prime nor share: every field asking
// for an object or a page makes its own call, as a resolver with no loaders
// would (the N+1 the design avoids). It exists so that bench/run can measure
// what priming and sharing save; the gateway serves it only when started
// with the hidden --naive-loaders flag.
func NewNaive(c *restclient.Client) *Loaders {
	return newLoaders(c, true)
}

func newLoaders(c *restclient.Client, naive bool) *Loaders {
	l := &Loaders{shared: map[string]*sharedCall{}, naive: naive}
	l.jobs = newObjects("jobs", naive, func(ctx context.Context, k ObjectKey) (*restclient.Job, error) {
		j, _, err := c.GetJob(ctx, k.Project, k.ID)
		return j, err
	})
	l.pipelines = newObjects("pipelines", naive, func(ctx context.Context, k ObjectKey) (*restclient.Pipeline, error) {
		p, _, err := c.GetPipeline(ctx, k.Project, k.ID)
		return p, err
	})
	l.bridges = newObjects("bridges", naive, func(ctx context.Context, k ObjectKey) ([]*restclient.Bridge, error) {
		return l.allBridges(ctx, c, k)
	})
	l.commits = newObjects("commits", naive, func(ctx context.Context, k CommitKey) (*restclient.Commit, error) {
		cm, _, err := c.GetCommit(ctx, k.Project, k.SHA)
		return cm, err
	})
	l.users = newObjects("users", naive, func(ctx context.Context, id int64) (*restclient.User, error) {
		u, _, err := c.GetUser(ctx, id)
		return u, err
	})
	l.projects = newObjects("projects", naive, func(ctx context.Context, key string) (*restclient.Project, error) {
		p, _, err := c.GetProject(ctx, key)
		return p, err
	})
	return l
}

// Shared makes identical calls of one operation once: the first caller with a
// key starts fetch, every caller with that key waits for its result. Keys
// must name the call completely (route, ids, every parameter, page).
//
// The call does not run under the first caller's context: a caller that gives
// up (say, because a sibling page failed) must not fail the others waiting on
// the same call. It keeps the context's values, so the caller's credentials
// and budget, and its deadline, the operation's, and it is canceled when the
// last caller waiting on it gives up, so no call outlives the requests that
// wanted it. A failed or abandoned call is not kept, so a later caller tries
// again. Naive loaders (NewNaive) share nothing: each caller makes its own
// call.
func Shared[T any](ctx context.Context, key string, fetch func(context.Context) (T, error)) (T, error) {
	l := For(ctx)
	if l.naive {
		return fetch(ctx)
	}
	l.mu.Lock()
	call, running := l.shared[key]
	if running {
		l.deduplicated("shared")
	} else {
		callCtx, cancel := detach(ctx)
		call = &sharedCall{done: make(chan struct{}), cancel: cancel}
		l.shared[key] = call
		go l.run(callCtx, key, call, func(ctx context.Context) (any, error) { return fetch(ctx) })
	}
	call.waiters++
	l.mu.Unlock()
	var zero T
	select {
	case <-call.done:
	case <-ctx.Done():
		l.mu.Lock()
		if call.waiters--; call.waiters == 0 {
			call.cancel()
			l.forget(key, call)
		}
		l.mu.Unlock()
		return zero, ctx.Err()
	}
	if call.err != nil {
		return zero, call.err
	}
	return call.val.(T), nil
}

// detach returns a context with ctx's values and deadline but not its
// cancellation.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	detached := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(detached, deadline)
	}
	return context.WithCancel(detached)
}

// run performs a shared call and publishes its outcome.
func (l *Loaders) run(ctx context.Context, key string, call *sharedCall, fetch func(context.Context) (any, error)) {
	defer close(call.done)
	defer call.cancel()
	call.err = safely.Run(ctx, func() (err error) {
		call.val, err = fetch(ctx)
		return err
	})
	if call.err != nil {
		l.mu.Lock()
		l.forget(key, call)
		l.mu.Unlock()
	}
}

// forget drops key's call if it is still call. l.mu is held.
func (l *Loaders) forget(key string, call *sharedCall) {
	if l.shared[key] == call {
		delete(l.shared, key)
	}
}

// allBridges reads every trigger job of a pipeline, up to maxBridgePages
// pages: the first page, then, where GitLab gives the page count, the rest at
// once, otherwise each page after the one naming it.
func (l *Loaders) allBridges(ctx context.Context, c *restclient.Client, k ObjectKey) ([]*restclient.Bridge, error) {
	page := func(ctx context.Context, n int) ([]*restclient.Bridge, *restclient.Response, error) {
		opt := &restclient.ListJobsOptions{ListOptions: restclient.ListOptions{Page: n, PerPage: 100}}
		return c.ListPipelineBridges(ctx, k.Project, k.ID, opt)
	}
	bridges, resp, err := page(ctx, 1)
	if err != nil || resp.NextPage == 0 {
		return bridges, err
	}
	if resp.TotalPages == nil {
		for n := 1; resp.NextPage > n && resp.NextPage <= maxBridgePages; {
			n = resp.NextPage
			var more []*restclient.Bridge
			if more, resp, err = page(ctx, n); err != nil {
				return nil, err
			}
			bridges = append(bridges, more...)
		}
		return bridges, nil
	}
	rest := make([][]*restclient.Bridge, max(min(*resp.TotalPages, maxBridgePages)-1, 0))
	g, gctx := errgroup.WithContext(ctx)
	for i := range rest {
		g.Go(func() error {
			return safely.Run(gctx, func() (err error) {
				rest[i], _, err = page(gctx, i+2)
				return err
			})
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, p := range rest {
		bridges = append(bridges, p...)
	}
	return bridges, nil
}

// newLoader makes a loader that fetches every key of a batch concurrently
// and dispatches a batch as soon as it is started. A naive loader keeps
// nothing, so every load of a key is a call of its own.
func newObjects[K comparable, V any](name string, naive bool, fetch func(context.Context, K) (V, error)) *objects[K, V] {
	batch := func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		results := make([]*dataloader.Result[V], len(keys))
		var wg sync.WaitGroup
		for i, k := range keys {
			wg.Go(func() {
				var v V
				err := safely.Run(ctx, func() (err error) {
					v, err = fetch(ctx, k)
					return err
				})
				results[i] = &dataloader.Result[V]{Data: v, Error: err}
			})
		}
		wg.Wait()
		return results
	}
	var cache dataloader.Cache[K, V] = dataloader.NewCache[K, V]()
	if naive {
		cache = &dataloader.NoCache[K, V]{}
	}
	ld := dataloader.NewBatchedLoader(batch, dataloader.WithWait[K, V](0), dataloader.WithCache(cache))
	return &objects[K, V]{name: name, cache: cache, Loader: ld}
}

// load reads key through ld. A failed load is not kept, as Shared keeps no
// failed call: a later field asking for the same object tries again, within
// the operation's budget.
func load[K comparable, V any](ctx context.Context, l *Loaders, ld *objects[K, V], key K) (V, error) {
	if _, cached := ld.cache.Get(ctx, key); cached {
		l.deduplicated(ld.name)
	}
	v, err := ld.Load(ctx, key)()
	if err != nil {
		ld.Clear(ctx, key)
	}
	return v, err
}

// Job returns one job of a project.
func (l *Loaders) Job(ctx context.Context, project string, id int64) (*restclient.Job, error) {
	return load(ctx, l, l.jobs, ObjectKey{project, id})
}

// Pipeline returns the full pipeline.
func (l *Loaders) Pipeline(ctx context.Context, project string, id int64) (*restclient.Pipeline, error) {
	return load(ctx, l, l.pipelines, ObjectKey{project, id})
}

// Bridges returns every trigger job of a pipeline.
func (l *Loaders) Bridges(ctx context.Context, project string, pipeline int64) ([]*restclient.Bridge, error) {
	return load(ctx, l, l.bridges, ObjectKey{project, pipeline})
}

// Commit returns the commit with its detail (stats, status, last pipeline).
func (l *Loaders) Commit(ctx context.Context, project, sha string) (*restclient.Commit, error) {
	return load(ctx, l, l.commits, CommitKey{project, sha})
}

// User returns one user.
func (l *Loaders) User(ctx context.Context, id int64) (*restclient.User, error) {
	return load(ctx, l, l.users, id)
}

// Project returns a project by numeric id or full path.
func (l *Loaders) Project(ctx context.Context, key string) (*restclient.Project, error) {
	p, err := load(ctx, l, l.projects, key)
	if err == nil {
		l.PrimeProject(ctx, p)
	}
	return p, err
}

// PrimeJobs records jobs a list response returned, so later lookups of the
// same jobs in this request cost no call.
func (l *Loaders) PrimeJobs(ctx context.Context, project string, jobs []*restclient.Job) {
	if l.naive {
		return
	}
	for _, j := range jobs {
		l.jobs.Prime(ctx, ObjectKey{project, j.ID}, j)
	}
}

// PrimePipeline records a full pipeline.
func (l *Loaders) PrimePipeline(ctx context.Context, p *restclient.Pipeline) {
	if l.naive {
		return
	}
	l.pipelines.Prime(ctx, ObjectKey{strconv.FormatInt(p.ProjectID, 10), p.ID}, p)
}

// PrimeProject records a project under its id and its full path.
func (l *Loaders) PrimeProject(ctx context.Context, p *restclient.Project) {
	if l.naive {
		return
	}
	l.projects.Prime(ctx, strconv.FormatInt(p.ID, 10), p)
	l.projects.Prime(ctx, p.PathWithNamespace, p)
}

type contextKey struct{}

// With returns ctx carrying l. The gateway attaches fresh loaders to every
// GraphQL operation.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, contextKey{}, l)
}

// For returns the operation's loaders. It panics when none were attached:
// that is a wiring bug, not a runtime condition.
func For(ctx context.Context) *Loaders {
	return ctx.Value(contextKey{}).(*Loaders)
}
