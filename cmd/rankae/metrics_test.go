package main

import (
	"strings"
	"testing"
)

// printMetrics names only the files its caller wrote: eval writes no
// checkpoint and no loss curve; and a resumed run says where it resumed.
func TestPrintMetricsNamesTheFilesWritten(t *testing.T) {
	m := &metrics{Model: "irmae", Steps: 200, Resumed: 150, Seconds: 2, ImagesPerS: 800}
	var eval, train strings.Builder
	printMetrics(&eval, m, "out")
	printMetrics(&train, m, "out", checkpointFile, "loss.png")
	if s := eval.String(); strings.Contains(s, checkpointFile) || strings.Contains(s, "loss.png") || !strings.Contains(s, "samples.png") {
		t.Errorf("eval's summary:\n%s", s)
	}
	if s := train.String(); !strings.Contains(s, checkpointFile) || !strings.Contains(s, "loss.png") {
		t.Errorf("train's summary:\n%s", s)
	}
	if s := train.String(); !strings.Contains(s, "200 steps, resumed at 150,") {
		t.Errorf("a resumed run's summary does not say where it resumed:\n%s", s)
	}
}
