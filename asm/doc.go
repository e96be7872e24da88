// Package asm holds the generated assembly kernels and their Go declarations; every
// other file in it is written by the generators in gen/ (`make generate`) and must
// not be edited by hand. Call the kernels through package kernels, which checks
// arguments, picks the variant the CPU supports and has the pure-Go references.
//
// The contract of every function here: the length n is that of the first slice
// argument and the caller guarantees the other slices are at least as long; the
// kernels that index columns (JacobiPairDots, JacobiRotatePairs,
// HouseholderApply, …) trust the bounds the kernels package checks.
package asm
