package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"jobgraph/bench/procs"
)

func main() {
	levels := flag.String("concurrency", "16,64", "comma-separated concurrency `levels`, one stage each")
	duration := flag.Duration("duration", 20*time.Second, "length of each stage")
	binary := flag.String("binary", "", "jobgraph binary to run; empty builds one")
	flag.Parse()
	cfg := Config{Binary: *binary, Duration: *duration, Faults: DefaultFaults}
	for _, l := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(l))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "loadrun: bad concurrency %q\n", l)
			os.Exit(2)
		}
		cfg.Concurrency = append(cfg.Concurrency, n)
	}
	ctx := context.Background()
	if cfg.Binary == "" {
		dir, err := os.MkdirTemp("", "loadrun")
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadrun:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
		if cfg.Binary, err = procs.Build(ctx, dir); err != nil {
			fmt.Fprintln(os.Stderr, "loadrun:", err)
			os.Exit(1)
		}
	}
	report, err := Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadrun:", err)
		os.Exit(1)
	}
	fmt.Print(report.Table())
	if err := report.Check(); err != nil {
		fmt.Fprintln(os.Stderr, "loadrun:", err)
		os.Exit(1)
	}
}
