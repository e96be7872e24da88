package main

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// logFloor keeps zero values (exactly zero singular values, a loss of 0)
// plottable on a log axis.
const logFloor = 1e-12

// logTicks labels a log axis at the powers of ten with one significant digit:
// 1e-05, not 9.999999999999999e-05.
var logTicks = plot.LogTicks{Prec: 1}

// plotLogCurve saves a line plot of ys against 1..len(ys) (or the given xs)
// with a logarithmic y axis, as PNG or SVG by the path's extension.
func plotLogCurve(path, title, xlabel, ylabel string, xs, ys []float64) error {
	if len(ys) == 0 {
		return fmt.Errorf("plot %s: no values", path)
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks
	pts := make(plotter.XYs, len(ys))
	for i, y := range ys {
		pts[i].X = float64(i + 1)
		if xs != nil {
			pts[i].X = xs[i]
		}
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return fmt.Errorf("plot %s: value %d is %v", path, i, y)
		}
		pts[i].Y = math.Max(y, logFloor)
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	p.Add(line, plotter.NewGrid())
	return p.Save(6*vg.Inch, 4*vg.Inch, path)
}
