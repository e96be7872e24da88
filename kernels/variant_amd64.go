//go:build !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"
	"github.com/rankae/rankae/asm"
)

// archVariants returns the amd64 variants this CPU and OS support, best first.
// cpuid reports AVX and AVX-512 only when the OS saves their registers.
func archVariants() []*Variant {
	var vs []*Variant
	if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.BMI2, cpuid.POPCNT) {
		vs = append(vs, &Variant{
			level:        AVX512,
			dot:          asm.DotAVX512,
			axpy:         asm.AxpyAVX512,
			scal:         asm.ScalAVX512,
			add:          asm.AddAVX512,
			mul:          asm.MulAVX512,
			sum:          asm.SumAVX512,
			sumSq:        asm.SumSqAVX512,
			relu:         asm.ReLUAVX512,
			tanh:         asm.TanhAVX512,
			reluBackward: asm.ReLUBackwardAVX512,
			adam:         asm.AdamAVX512,

			jacobiDots:     asm.JacobiDotsAVX512,
			jacobiRotate:   asm.JacobiRotateAVX512,
			jacobiRotate64: asm.JacobiRotate64AVX512,

			dot64:  asm.Dot64AVX512,
			axpy64: asm.Axpy64AVX512,
			gemv64: asm.Gemv64AVX512,

			gemvT64:          asm.GemvT64AVX512,
			rank2Update64:    asm.Rank2Update64AVX512,
			rotateSeq64:      asm.RotateSeq64AVX512,
			gemm4Cols64:      asm.Gemm4Cols64AVX512,
			widen:            asm.WidenAVX512,
			narrow:           asm.NarrowAVX512,
			secularTerms:     asm.SecularTermsAVX512,
			scaleQuotients64: asm.ScaleQuotients64AVX512,
			quotients64:      asm.Quotients64AVX512,

			jacobiPairDots:      asm.JacobiPairDotsAVX512,
			jacobiAngles:        asm.JacobiAnglesAVX2, // four pairs a vector at both levels: gen/amd64/jacobi_step.go
			jacobiRotatePairs:   asm.JacobiRotatePairsAVX512,
			jacobiRotatePairs64: asm.JacobiRotatePairs64AVX512,
			householderApply:    asm.HouseholderApplyAVX512,
			correlateTaps:       asm.CorrelateTapsAVX512,
			correlateTapsGrad:   asm.CorrelateTapsGradAVX512,

			copyRows:     asm.CopyRowsAVX512,
			addRows:      asm.AddRowsAVX2, // faster than 16 lanes on short runs: gen/amd64/im2col.go
			gemm:         GemmMicroKernel{MR: 8, NR: 48, run: asm.SgemmKernelAVX512, runEdge: asm.SgemmKernelEdgeAVX512, runColumn: asm.SgemmKernelColumnAVX512, runRow: asm.SgemmKernelRowAVX512, packN: asm.SgemmPack8AVX512, packRows: 8, packB: asm.SgemmPackBAVX512},
			fmaPeak:      asm.FMAPeakAVX512,
			fmaPeakFlops: 12 * 16 * 2,
		})
	}
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.POPCNT) {
		vs = append(vs, &Variant{
			level:        AVX2,
			dot:          asm.DotAVX2,
			axpy:         asm.AxpyAVX2,
			scal:         asm.ScalAVX2,
			add:          asm.AddAVX2,
			mul:          asm.MulAVX2,
			sum:          asm.SumAVX2,
			sumSq:        asm.SumSqAVX2,
			relu:         asm.ReLUAVX2,
			tanh:         asm.TanhAVX2,
			reluBackward: asm.ReLUBackwardAVX2,
			adam:         asm.AdamAVX2,

			jacobiDots:     asm.JacobiDotsAVX2,
			jacobiRotate:   asm.JacobiRotateAVX2,
			jacobiRotate64: asm.JacobiRotate64AVX2,

			dot64:  asm.Dot64AVX2,
			axpy64: asm.Axpy64AVX2,
			gemv64: asm.Gemv64AVX2,

			gemvT64:          asm.GemvT64AVX2,
			rank2Update64:    asm.Rank2Update64AVX2,
			rotateSeq64:      asm.RotateSeq64AVX2,
			gemm4Cols64:      asm.Gemm4Cols64AVX2,
			widen:            asm.WidenAVX2,
			narrow:           asm.NarrowAVX2,
			secularTerms:     asm.SecularTermsAVX2,
			scaleQuotients64: asm.ScaleQuotients64AVX2,
			quotients64:      asm.Quotients64AVX2,

			jacobiPairDots:      asm.JacobiPairDotsAVX2,
			jacobiAngles:        asm.JacobiAnglesAVX2, // four pairs a vector at both levels: gen/amd64/jacobi_step.go
			jacobiRotatePairs:   asm.JacobiRotatePairsAVX2,
			jacobiRotatePairs64: asm.JacobiRotatePairs64AVX2,
			householderApply:    asm.HouseholderApplyAVX2,
			correlateTaps:       asm.CorrelateTapsAVX2,
			correlateTapsGrad:   asm.CorrelateTapsGradAVX2,

			copyRows:     asm.CopyRowsAVX2,
			addRows:      asm.AddRowsAVX2,
			gemm:         GemmMicroKernel{MR: 6, NR: 16, run: asm.SgemmKernelAVX2, runRows: asm.SgemmKernelRowsAVX2, runColumn: asm.SgemmKernelColumnAVX2, runRow: asm.SgemmKernelRowAVX2, packA: asm.SgemmPack6AVX2, packN: asm.SgemmPack8AVX2, packRows: 8, packB: asm.SgemmPackBAVX2, packATPanels: asm.SgemmPackATPanelsAVX2},
			fmaPeak:      asm.FMAPeakAVX2,
			fmaPeakFlops: 12 * 8 * 2,
		})
	}
	return vs
}
