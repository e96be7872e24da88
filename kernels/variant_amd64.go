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
	if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.BMI2) {
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
			reluBackward: asm.ReLUBackwardAVX512,
			adam:         asm.AdamAVX512,
			gemm:         GemmMicroKernel{MR: 8, NR: 48, run: asm.SgemmKernelAVX512, runEdge: asm.SgemmKernelEdgeAVX512, runColumn: asm.SgemmKernelColumnAVX512, pack8: asm.SgemmPack8AVX512, packB: asm.SgemmPackBAVX512},
			fmaPeak:      asm.FMAPeakAVX512,
			fmaPeakFlops: 12 * 16 * 2,
		})
	}
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
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
			reluBackward: asm.ReLUBackwardAVX2,
			adam:         asm.AdamAVX2,
			gemm:         GemmMicroKernel{MR: 6, NR: 16, run: asm.SgemmKernelAVX2},
			fmaPeak:      asm.FMAPeakAVX2,
			fmaPeakFlops: 12 * 8 * 2,
		})
	}
	return vs
}
