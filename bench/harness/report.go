package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// median of the rounds' values; 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// cell renders a figure: the median of the rounds, their range when there
// are several, and the ratio to jobgraph's median.
func cell(v []float64, base []float64, digits int) string {
	m := median(v)
	out := fmt.Sprintf("%.*f", digits, m)
	if len(v) > 1 {
		out += fmt.Sprintf(" (%.*f–%.*f)", digits, slices.Min(v), digits, slices.Max(v))
	}
	return out + ratio(m, median(base))
}

func ratio(v, base float64) string {
	if base == 0 {
		return ""
	}
	return fmt.Sprintf(" %.2f×", v/base)
}

// Table renders the results as a Markdown table, one row per workload and
// contender, each figure with its ratio to jobgraph's.
func (r *Results) Table() string {
	var b strings.Builder
	b.WriteString("| workload | contender | upstream calls | p50 at " + r.Latency + " (ms) | p90 at " + r.Latency +
		" (ms) | p50 at 0 ms (ms) | runs/s at concurrency " + fmt.Sprint(r.Concurrency) + " | CPU ms per run | peak RSS (MiB) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, f := range r.Figures {
		base := r.Find(f.Workload, nameJobgraph)
		if base == nil {
			base = &Figures{}
		}
		rss := "—"
		if f.PeakRSS > 0 {
			rss = fmt.Sprintf("%.0f", f.PeakRSS) + ratio(f.PeakRSS, base.PeakRSS)
		}
		fmt.Fprintf(&b, "| %s | %s | %d%s | %s | %s | %s | %s | %s | %s |\n", f.Workload, f.Contender,
			f.TotalCalls, ratio(float64(f.TotalCalls), float64(base.TotalCalls)),
			cell(f.P50Slow, base.P50Slow, 1), cell(f.P90Slow, base.P90Slow, 1), cell(f.P50Fast, base.P50Fast, 1),
			cell(f.Throughput, base.Throughput, 0), cell(f.CPU, base.CPU, 2), rss)
	}
	for _, c := range slices.Sorted(func(yield func(string) bool) {
		for c := range r.Skipped {
			if !yield(c) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "\n%s: not measured: %s\n", c, r.Skipped[c])
	}
	return b.String()
}

// WriteJSON writes the results to path.
func (r *Results) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadJSON reads results WriteJSON wrote.
func ReadJSON(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	return &r, json.Unmarshal(b, &r)
}

// WritePlot draws, per workload, each contender's p50 latency at the
// configured upstream latency (top row) and its CPU per run (bottom row), a
// bar per contender at the median of the rounds, into a PNG at path. Each
// workload has its own scale: W5 reads a 60 MB log, W1 a 270 KB page.
func (r *Results) WritePlot(path string) error {
	var workloads []string
	for _, f := range r.Figures {
		if !slices.Contains(workloads, f.Workload) {
			workloads = append(workloads, f.Workload)
		}
	}
	rows := [][]*plot.Plot{{}, {}}
	for _, w := range workloads {
		rows[0] = append(rows[0], r.bars(w, w+": p50 at "+r.Latency, "ms", func(f *Figures) []float64 { return f.P50Slow }))
		rows[1] = append(rows[1], r.bars(w, w+": CPU per run", "CPU ms", func(f *Figures) []float64 { return f.CPU }))
	}
	img := vgimg.New(vg.Length(len(workloads))*3*vg.Inch, 7*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: len(workloads), PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(6), PadX: vg.Points(18), PadY: vg.Points(18)}
	canvases := plot.Align(rows, tiles, dc)
	for i, row := range rows {
		for j, p := range row {
			p.Draw(canvases[i][j])
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// bars is one workload's chart: a bar per contender that ran it, at the
// median of its rounds.
func (r *Results) bars(workload, title, unit string, value func(*Figures) []float64) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = unit
	p.Y.Min = 0
	var names []string
	top := 0.0
	for i, c := range r.Contenders {
		f := r.Find(workload, c)
		if f == nil {
			continue
		}
		v := median(value(f))
		top = max(top, v)
		bar, err := plotter.NewBarChart(plotter.Values{v}, vg.Points(28))
		if err != nil {
			continue // a value that is not a number: the bar is left out
		}
		bar.LineStyle.Width = 0
		bar.Color = plotutil.Color(i)
		bar.XMin = float64(len(names))
		names = append(names, c)
		p.Add(bar)
	}
	p.NominalX(names...)
	// Room around the bars: half a slot on each side, a tenth above.
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	p.Y.Max = top * 1.1
	p.Add(plotter.NewGrid())
	return p
}
