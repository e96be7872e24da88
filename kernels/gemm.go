package kernels

import "fmt"

// GemmMicroKernel is the register-blocked heart of SGEMM (BLIS's micro-kernel
// contract) for one variant: it adds the product of a packed MR-row panel of A and
// a packed NR-column panel of B to an MR×NR tile of C. Package linalg packs the
// panels and drives it; see SgemmMicroKernel.
type GemmMicroKernel struct {
	MR, NR int
	run    func(k int, a, b, c []float32, ldc int, beta float32)
	packA  func(k int, a []float32, lda int, alpha float32, dst []float32) // nil: packAGeneric
}

// Gemm returns the variant's SGEMM micro-kernel.
func (v *Variant) Gemm() GemmMicroKernel { return v.gemm }

// Run computes, for i < MR, j < NR,
//
//	c[i*ldc+j] = beta*c[i*ldc+j] + Σ_{p<k} a[p*MR+i] * b[p*NR+j]
//
// where a holds k steps of MR values, b k steps of NR values and c is a row-major
// tile with stride ldc ≥ NR. When beta is zero, c is only written (BLAS's rule:
// whatever it held, NaN included, is overwritten).
func (g GemmMicroKernel) Run(k int, a, b, c []float32, ldc int, beta float32) {
	switch {
	case k < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: k = %d < 0", k))
	case ldc < g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: ldc = %d < NR = %d", ldc, g.NR))
	case len(a) < k*g.MR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: len(a) = %d < k*MR = %d", len(a), k*g.MR))
	case len(b) < k*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: len(b) = %d < k*NR = %d", len(b), k*g.NR))
	case len(c) < (g.MR-1)*ldc+g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: len(c) = %d < (MR-1)*ldc+NR = %d", len(c), (g.MR-1)*ldc+g.NR))
	}
	g.run(k, a, b, c, ldc, beta)
}

// PackA packs MR rows of a row-major matrix with stride lda, k columns of them,
// into the layout Run reads, scaled by alpha:
//
//	dst[p*MR+i] = alpha * a[i*lda+p]   for p < k, i < MR
func (g GemmMicroKernel) PackA(k int, a []float32, lda int, alpha float32, dst []float32) {
	switch {
	case k < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.PackA: k = %d < 0", k))
	case k == 0:
		return
	case lda < k:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.PackA: lda = %d < k = %d", lda, k))
	case len(a) < (g.MR-1)*lda+k:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.PackA: len(a) = %d < (MR-1)*lda+k = %d", len(a), (g.MR-1)*lda+k))
	case len(dst) < k*g.MR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.PackA: len(dst) = %d < k*MR = %d", len(dst), k*g.MR))
	}
	if g.packA == nil {
		packAGeneric(g.MR, k, a, lda, alpha, dst)
		return
	}
	g.packA(k, a, lda, alpha, dst)
}

// packAGeneric is the reference of PackA for mr rows.
func packAGeneric(mr, k int, a []float32, lda int, alpha float32, dst []float32) {
	for p := 0; p < k; p++ {
		out := dst[p*mr : p*mr+mr]
		for i := range out {
			out[i] = alpha * a[i*lda+p]
		}
	}
}

// The generic micro-kernel's shape: 4×4 keeps its sixteen accumulators in
// registers on amd64 and arm64.
const genericMR, genericNR = 4, 4

// gemmGeneric is the reference micro-kernel, genericMR×genericNR.
func gemmGeneric(k int, a, b, c []float32, ldc int, beta float32) {
	var acc [genericMR][genericNR]float32
	for p := 0; p < k; p++ {
		ap := a[p*genericMR : p*genericMR+genericMR]
		bp := b[p*genericNR : p*genericNR+genericNR]
		for i, av := range ap {
			for j, bv := range bp {
				acc[i][j] += av * bv
			}
		}
	}
	for i := range acc {
		row := c[i*ldc : i*ldc+genericNR]
		for j := range row {
			if beta == 0 {
				row[j] = acc[i][j]
			} else {
				row[j] = beta*row[j] + acc[i][j]
			}
		}
	}
}

// FMAPeak returns a loop of independent FMAs in the variant's widest vectors and
// the floating-point operations one of its iterations performs, for measuring the
// core's peak; nil for the generic variant.
func (v *Variant) FMAPeak() (loop func(iterations int), flopsPerIteration int) {
	return v.fmaPeak, v.fmaPeakFlops
}
