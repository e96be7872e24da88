package kernels

import (
	"fmt"
	"os"
	"strings"
)

// EnvVar names the environment variable that forces a kernel level lower than the
// best one the CPU supports, e.g. RANKAE_KERNELS=generic.
const EnvVar = "RANKAE_KERNELS"

// A Variant is one complete set of kernels written for one Level. The package-level
// functions call the active variant; tests and benchmarks can call any supported
// variant directly through Variants.
type Variant struct {
	level Level

	dot          func(x, y []float32) float32
	axpy         func(alpha float32, x, y []float32)
	scal         func(alpha float32, x []float32)
	add          func(dst, x, y []float32)
	mul          func(dst, x, y []float32)
	sum          func(x []float32) float32
	sumSq        func(x []float32) float32
	relu         func(dst, x []float32)
	reluBackward func(dx, dy, x []float32)
	tanh         func(dst, x []float32)
	adam         func(param, grad, m, v []float32, beta1, c1, beta2, c2, stepSize, invSqrtBias2, eps, belief, epsRoot float32)

	jacobiDots     func(x, y []float32) (xx, yy, xy float64)
	jacobiRotate   func(x, y []float32, c, s float32)
	jacobiRotate64 func(x, y []float64, c, s float64)

	// The float64 kernels of the SVD's eigensolver (eigen.go).
	dot64            func(x, y []float64) float64
	axpy64           func(alpha float64, x, y []float64)
	gemv64           func(y, x []float64, ldx int, alpha []float64)
	gemvT64          func(y, x []float64, ldx int, alpha []float64)
	rank2Update64    func(c []float64, ldc int, x, y, alpha, beta []float64)
	rotateSeq64      func(z []float64, ld int, c, s []float64)
	gemm4Cols64      func(m, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int)
	widen            func(dst []float64, src []float32)
	narrow           func(dst []float32, src []float64)
	secularTerms     func(delta, z []float64, tau float64) (s, ds float64)
	scaleQuotients64 func(w, num, den []float64, c float64)
	quotients64      func(q, num, den []float64) (ss float64)

	// The batched kernels of a round-robin step (jacobi_step.go) and of the
	// QR (householder.go); a variant without assembly for them loops over its
	// smaller kernels (withLoops).
	jacobiPairDots      func(cols []float32, rows int, p, q []int, xx, yy, xy []float64)
	jacobiAngles        func(xx, yy, xy []float64, tol, small float64, c, s []float64) int
	jacobiRotatePairs   func(cols []float32, rows int, p, q []int, c, s []float64)
	jacobiRotatePairs64 func(w []float64, rows int, p, q []int, c, s []float64)
	householderApply    func(tail []float32, tau float32, c []float32, ldc, ncols int)
	correlateTaps       func(y []float32, ldy int, x []float32, ldx int, w []float32, offs []int, rows, n int)
	correlateTapsGrad   func(g, y []float32, ldy int, x []float32, ldx int, offs []int, rows, n int)

	copyRows func(dst, src []float32, rows, cols, ldsrc int)
	addRows  func(dst []float32, ldd int, src []float32, rows, cols int)

	gemm         GemmMicroKernel
	fmaPeak      func(iterations int)
	fmaPeakFlops int
}

// Level returns the instruction-set level the variant is written for.
func (v *Variant) Level() Level { return v.level }

func (v *Variant) String() string { return v.level.String() }

var genericVariant = &Variant{
	level:        Generic,
	dot:          dotGeneric,
	axpy:         axpyGeneric,
	scal:         scalGeneric,
	add:          addGeneric,
	mul:          mulGeneric,
	sum:          sumGeneric,
	sumSq:        sumSqGeneric,
	relu:         reluGeneric,
	reluBackward: reluBackwardGeneric,
	tanh:         tanhGeneric,
	adam:         adamGeneric,

	jacobiDots:     jacobiDotsGeneric,
	jacobiRotate:   jacobiRotateGeneric,
	jacobiRotate64: jacobiRotate64Generic,

	dot64:  dot64Generic,
	axpy64: axpy64Generic,
	gemv64: gemv64Generic,

	gemvT64:          gemvT64Generic,
	rank2Update64:    rank2Update64Generic,
	rotateSeq64:      rotateSeq64Generic,
	gemm4Cols64:      gemm4Cols64Generic,
	widen:            widenGeneric,
	narrow:           narrowGeneric,
	secularTerms:     secularTermsGeneric,
	scaleQuotients64: scaleQuotients64Generic,
	quotients64:      quotients64Generic,

	copyRows: copyRowsGeneric,
	addRows:  addRowsGeneric,
	gemm:     GemmMicroKernel{MR: genericMR, NR: genericNR, run: gemmGeneric},
}

// supported lists the variants this CPU can run, best first. It is built in a
// variable initialiser rather than an init function so that it is complete before
// any init runs, whatever the order of the files.
var supported = withLoops(append(archVariants(), genericVariant))

// active is the variant the package-level functions use.
var active *Variant

func init() {
	v, err := chooseVariant(os.Getenv(EnvVar))
	if err != nil {
		// A wrong setting must stop the program at start, not fall back silently.
		panic("rankae/kernels: " + err.Error())
	}
	active = v
}

// chooseVariant returns the best supported variant, or the one the value of
// RANKAE_KERNELS names when it is not empty.
func chooseVariant(env string) (*Variant, error) {
	if env == "" {
		return supported[0], nil
	}
	l, err := ParseLevel(env)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %v", EnvVar, env, err)
	}
	for _, v := range supported {
		if v.level == l {
			return v, nil
		}
	}
	return nil, fmt.Errorf("%s=%s: this CPU supports only %s", EnvVar, env, supportedNames())
}

func supportedNames() string {
	names := make([]string, len(supported))
	for i, v := range supported {
		names[i] = v.level.String()
	}
	return strings.Join(names, ", ")
}

// Variants returns every variant this CPU supports, best first; the last is always
// the generic one. The slice is shared: do not modify it.
func Variants() []*Variant { return supported }

// Active returns the variant in use.
func Active() *Variant { return active }

// ActiveLevel returns the level of the variant in use.
func ActiveLevel() Level { return active.level }

// withLoops gives each variant that has no assembly for a batched kernel its
// Go loop over the variant's own smaller kernels (all of them on the generic
// variant; on NEON the Householder reflector over its Dot and Axpy), and
// returns vs. The loops are the reference the assembly is documented and
// tested against.
func withLoops(vs []*Variant) []*Variant {
	for _, v := range vs {
		if v.householderApply == nil {
			v.householderApply = householderApplyLoop(v)
		}
		if v.tanh == nil {
			v.tanh = tanhGeneric
		}
		if v.correlateTaps == nil {
			v.correlateTaps, v.correlateTapsGrad = correlateLoops(v)
		}
		if v.jacobiPairDots == nil {
			dots := v.jacobiDots
			v.jacobiPairDots = func(cols []float32, rows int, p, q []int, xx, yy, xy []float64) {
				for k := range p {
					xx[k], yy[k], xy[k] = dots(cols[p[k]*rows:][:rows], cols[q[k]*rows:][:rows])
				}
			}
		}
		if v.jacobiAngles == nil {
			v.jacobiAngles = jacobiAnglesGeneric
		}
		if v.jacobiRotatePairs == nil {
			v.jacobiRotatePairs = rotatePairsLoop(v.jacobiRotate)
		}
		if v.jacobiRotatePairs64 == nil {
			v.jacobiRotatePairs64 = rotatePairsLoop(v.jacobiRotate64)
		}

		v.gemm.copyRows = v.copyRows // PackAT
	}
	return vs
}

// rotatePairsLoop returns the Go loop of JacobiRotatePairs (float32) or
// JacobiRotatePairs64 (float64) over the pair kernel rotate.
func rotatePairsLoop[T float32 | float64](rotate func(x, y []T, c, s T)) func(m []T, rows int, p, q []int, c, s []float64) {
	return func(m []T, rows int, p, q []int, c, s []float64) {
		for k := range p {
			if s[k] != 0 {
				rotate(m[p[k]*rows:][:rows], m[q[k]*rows:][:rows], T(c[k]), T(s[k]))
			}
		}
	}
}
