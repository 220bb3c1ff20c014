// Command plot draws the scale curve (bench/scale.sh): from the points
// BenchmarkScaleCurve writes, one SVG with three panels against the number of
// objects — list latency, apiserver RSS, time from start to Ready — and one
// line per storage backend. It is its own module so that the plotting
// library stays out of apiserver-boot's (and its users' projects') graph.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

type point struct {
	Backend string  `json:"backend"`
	Objects int     `json:"objects"`
	ListMS  float64 `json:"listMs"`
	RSSMiB  float64 `json:"rssMiB"`
	ReadyMS float64 `json:"readyMs"`
}

func main() {
	in := flag.String("in", "scale.json", "the points")
	out := flag.String("out", "scale.svg", "the SVG to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

// colors tell the backends apart (colour-blind safe: Okabe–Ito).
var colors = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{0, 158, 115, 255}, color.RGBA{204, 121, 167, 255},
}

func run(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var points []point
	if err := json.Unmarshal(data, &points); err != nil {
		return err
	}
	byBackend := map[string][]point{}
	var backends []string
	for _, p := range points {
		if _, ok := byBackend[p.Backend]; !ok {
			backends = append(backends, p.Backend)
		}
		byBackend[p.Backend] = append(byBackend[p.Backend], p)
	}
	// Lists span two decades: a log scale; memory and start-up grow less.
	panels := []struct {
		title, unit string
		logY        bool
		value       func(point) float64
	}{
		{"List of every object (protobuf)", "ms", true, func(p point) float64 { return p.ListMS }},
		{"apiserver RSS", "MiB", false, func(p point) float64 { return p.RSSMiB }},
		{"Start to Ready (watch cache filled)", "ms", false, func(p point) float64 { return p.ReadyMS }},
	}
	var plots [][]*plot.Plot
	row := []*plot.Plot{}
	for _, panel := range panels {
		p := plot.New()
		p.Title.Text = panel.title
		p.X.Label.Text = "objects"
		p.Y.Label.Text = panel.unit
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		if panel.logY {
			p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		} else {
			p.Y.Min = 0
		}
		p.Legend.Top, p.Legend.Left = true, true
		for i, b := range backends {
			pts := byBackend[b]
			sort.Slice(pts, func(i, j int) bool { return pts[i].Objects < pts[j].Objects })
			var xy plotter.XYs
			for _, pt := range pts {
				if v := panel.value(pt); v > 0 {
					xy = append(xy, plotter.XY{X: float64(pt.Objects), Y: v})
				}
			}
			if len(xy) == 0 {
				continue // not measured (custom.Memory keeps nothing across a restart)
			}
			line, marks, err := plotter.NewLinePoints(xy)
			if err != nil {
				return err
			}
			line.Color, marks.Color = colors[i%len(colors)], colors[i%len(colors)]
			line.Width = vg.Points(1.5)
			p.Add(line, marks)
			p.Legend.Add(b, line, marks)
		}
		row = append(row, p)
	}
	plots = append(plots, row)
	const w, h = 15 * vg.Inch, 4.5 * vg.Inch
	canvas := vgsvg.New(w, h)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(plots, tiles, draw.New(canvas))
	for j, p := range row {
		p.Draw(canvases[0][j])
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
