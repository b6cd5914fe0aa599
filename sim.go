package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"jobgraph/gitlabsim"
)

// runSim is `jobgraph sim`: the GitLab REST simulator as a standalone server,
// for pointing other GitLab clients (or a second jobgraph) at it.
func runSim(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runSimContext(ctx, args, stdout, stderr)
}

// runSimContext serves until ctx ends.
func runSimContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("jobgraph sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: jobgraph sim [flags]

Serves a deterministic GitLab REST API (under /api/v4) with demo projects,
pipelines, jobs and logs, plus controls under /_sim/ (stats, reset, faults).

Flags (each also read from JOBGRAPH_SIM_<FLAG>, e.g. JOBGRAPH_SIM_LISTEN):
`)
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:9000", "address to serve on `host:port`")
	seed := fs.Int64("seed", 1, "seed of the generated world")
	latency := fs.Duration("latency", 0, "latency added to every API request, e.g. 20ms")
	jitter := fs.Duration("jitter", 0, "extra random latency in [0, jitter)")
	live := fs.Bool("live", true, "move running jobs forward over time (new log lines, status changes)")
	tokens := fs.Bool("tokens", false, "print the seeded tokens (role, username, token) and exit")
	if err := applyEnv(fs, "JOBGRAPH_SIM_"); err != nil {
		fmt.Fprintln(stderr, "jobgraph sim:", err)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "jobgraph sim: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *tokens {
		for _, t := range gitlabsim.Tokens() {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", t.Role, t.Username, t.Token)
		}
		return 0
	}
	sim := gitlabsim.New(gitlabsim.Options{Seed: *seed, Latency: *latency, Jitter: *jitter, LiveClock: *live})
	defer sim.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "jobgraph sim:", err)
		return 1
	}
	fmt.Fprintf(stdout, "jobgraph sim: GitLab REST API at http://%s/api/v4 (seed %d, latency %s); tokens: jobgraph sim --tokens\n",
		ln.Addr(), *seed, *latency+*jitter/2)
	return serve(ctx, ln, sim, stderr)
}

// applyEnv sets every flag of fs whose environment variable (prefix plus the
// flag's name in upper case, dashes as underscores) is set, through the flag's
// own parser so a bad value is reported like a bad flag. Flags given on the
// command line are parsed afterwards and win.
func applyEnv(fs *flag.FlagSet, prefix string) error {
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		key := envName(prefix, f.Name)
		if v, ok := os.LookupEnv(key); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", key, v, err))
			}
		}
	})
	return errors.Join(errs...)
}

func envName(prefix, flagName string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
