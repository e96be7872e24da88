// Package kernels is the public float32 kernel API of rankae: vector kernels (Dot,
// Axpy, Scal, Add, Mul, Sum, SumSq, ReLU and its gradient, Tanh, a fused Adam
// step), the SGEMM micro-kernel and packing (GemmMicroKernel, driven by package
// linalg), the im2col and col2im of one image or of a batch with the batch
// innermost (Im2colBatch and its bands, which the convolution layers use), the
// direct convolution's tap kernels (CorrelateTaps) and the Transpose between
// the two layouts, and the kernels of the one-sided Jacobi SVD (the dots
// and rotation of a column pair, their batched forms for a round-robin step, and
// the Householder reflector of its QR), each with a pure-Go reference and
// assembly variants for AVX-512, AVX2+FMA and NEON. A kernel without assembly
// on a level (on NEON: the rotation angles, the Householder reflector, the tap
// kernels and Tanh) is the Go loop over that level's smaller kernels, or the
// reference (withLoops).
//
// Start with the package-level functions: they check their arguments and call the
// active Variant, chosen once at start from the CPU (github.com/klauspost/cpuid/v2):
// AVX-512 → AVX2 → generic on amd64, NEON → generic on arm64. The environment
// variable RANKAE_KERNELS=generic|avx2|avx512|neon forces a lower level; an unknown
// or unsupported value stops the program at start. Variants lists every variant the
// CPU supports, so that one test run exercises all of them. The build tag purego
// removes the assembly.
//
// The references in generic.go are the specification; the assembly is generated
// by the programs in gen/ into package asm.
package kernels
