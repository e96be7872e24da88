//go:build !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"
	"github.com/rankae/rankae/asm"
)

// archVariants returns the arm64 variants this CPU supports, best first.
//
// Advanced SIMD is architectural on AArch64 (every Linux arm64 CPU has it), and
// cpuid reads it from the kernel's HWCAP; the check keeps a CPU that does not report
// it, if one exists, on the generic kernels.
func archVariants() []*Variant {
	if !cpuid.CPU.Supports(cpuid.ASIMD) {
		return nil
	}
	return []*Variant{{
		level:        NEON,
		dot:          asm.DotNEON,
		axpy:         asm.AxpyNEON,
		scal:         asm.ScalNEON,
		add:          asm.AddNEON,
		mul:          asm.MulNEON,
		sum:          asm.SumNEON,
		sumSq:        asm.SumSqNEON,
		relu:         asm.ReLUNEON,
		reluBackward: asm.ReLUBackwardNEON,
		adam:         asm.AdamNEON,

		jacobiDots:     asm.JacobiDotsNEON,
		jacobiRotate:   asm.JacobiRotateNEON,
		jacobiRotate64: asm.JacobiRotate64NEON,

		jacobiPairDots:      asm.JacobiPairDotsNEON,
		jacobiRotatePairs:   asm.JacobiRotatePairsNEON,
		jacobiRotatePairs64: asm.JacobiRotatePairs64NEON,
		dot64:               asm.Dot64NEON,
		axpy64:              asm.Axpy64NEON,
		gemv64:              asm.Gemv64NEON,
		gemvT64:             asm.GemvT64NEON,
		rank2Update64:       asm.Rank2Update64NEON,
		rotateSeq64:         asm.RotateSeq64NEON,
		gemm4Cols64:         asm.Gemm4Cols64NEON,
		widen:               widenGeneric,
		narrow:              narrowGeneric,
		secularTerms:        secularTermsGeneric,
		scaleQuotients64:    scaleQuotients64Generic,
		quotients64:         quotients64Generic,
		copyRows:            asm.CopyRowsNEON,
		addRows:             asm.AddRowsNEON,
		// PackA (MR = 8) and PackBT (NR = 12) transpose four rows at a time.
		gemm:         GemmMicroKernel{MR: 8, NR: 12, run: asm.SgemmKernelNEON, packN: asm.SgemmPack4NEON, packRows: 4, packB: asm.SgemmPackBNEON},
		fmaPeak:      asm.FMAPeakNEON,
		fmaPeakFlops: 24 * 4 * 2, // 24 independent FMLA of 4 lanes per iteration
	}}
}
