// Command rankae trains and evaluates rank-regularised autoencoders on the CPU.
//
//	rankae train    train a model (default: aRRAE on the Gaussian bumps) and
//	                write its checkpoint, metrics, images and plots
//	rankae eval     recompute the metrics of a checkpoint
//	rankae sample   draw images from a checkpoint's latent distribution
//	rankae kernels  report the kernel level and check it against the references
//
// Run "rankae <command> -h" for a command's flags.
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/rankae/rankae/kernels"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "train":
		err = trainCommand(args)
	case "eval":
		err = evalCommand(args)
	case "sample":
		err = sampleCommand(args)
	case "kernels":
		err = kernelsCommand()
	case "-h", "-help", "--help", "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "rankae: unknown command %q\n", cmd)
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rankae:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: rankae <command> [flags]

commands:
  train    train a model and write checkpoint, metrics.json, images and plots
  eval     recompute the metrics of a checkpoint
  sample   draw images from a checkpoint's latent distribution
  kernels  report the kernel level and check it against the references
`)
}

// kernelsCommand reports the kernel level and checks the active kernels
// against the pure-Go references.
func kernelsCommand() error {
	vs := kernels.Variants()
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.String()
	}
	fmt.Printf("rankae: kernels %s (supported here: %v; force lower with %s)\n", kernels.ActiveLevel(), names, kernels.EnvVar)
	if err := checkKernels(kernels.Active(), vs[len(vs)-1]); err != nil {
		return fmt.Errorf("kernel check failed: %w", err)
	}
	fmt.Printf("kernel check: %s agrees with %s on Dot, Axpy, ReLU and Adam\n", kernels.ActiveLevel(), vs[len(vs)-1])
	return nil
}

// checkKernels runs a few kernels of v and of the reference ref on the same random
// data and reports the first disagreement beyond rounding.
func checkKernels(v, ref *kernels.Variant) error {
	const n = 1031 // not a multiple of any vector width, so the tails run too
	r := rand.New(rand.NewPCG(1, 2))
	random := func() []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = 2*r.Float32() - 1
		}
		return s
	}
	x, y := random(), random()
	if got, want := v.Dot(x, y), ref.Dot(x, y); !near(got, want, 1e-4) {
		return fmt.Errorf("Dot = %v, reference %v", got, want)
	}
	pairs := []struct {
		name string
		run  func(k *kernels.Variant) []float32
	}{
		{"Axpy", func(k *kernels.Variant) []float32 {
			out := append([]float32(nil), y...)
			k.Axpy(0.3, x, out)
			return out
		}},
		{"ReLU", func(k *kernels.Variant) []float32 { out := make([]float32, n); k.ReLU(out, x); return out }},
		{"Adam", func(k *kernels.Variant) []float32 {
			p, m, vel := append([]float32(nil), y...), make([]float32, n), make([]float32, n)
			k.Adam(p, x, m, vel, kernels.NewAdamStep(1e-3, 0.9, 0.999, 1e-8, 1))
			return p
		}},
	}
	for _, p := range pairs {
		got, want := p.run(v), p.run(ref)
		for i := range got {
			if !near(got[i], want[i], 1e-5) {
				return fmt.Errorf("%s: [%d] = %v, reference %v", p.name, i, got[i], want[i])
			}
		}
	}
	return nil
}

func near(a, b, tol float32) bool {
	return math.Abs(float64(a-b)) <= float64(tol)*math.Max(1, math.Abs(float64(b)))
}
