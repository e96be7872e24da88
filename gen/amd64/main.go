// Command amd64 generates the AVX-512 and AVX2 assembly of package asm with avo.
//
// One run writes one family of kernels (-family) to one .s file and its Go stubs:
//
//	go run ./gen/amd64 -family vec -out asm/vec_amd64.s -stubs asm/vec_amd64.go -pkg asm
//
// `make generate` runs every family; the output is checked in and CI fails when it
// is stale. Each kernel is emitted once per ISA from the same Go code, so the two
// variants differ only where the ISAs do (vector width, tail masking, K registers).
package main

import (
	"flag"
	"fmt"
	"os"

	. "github.com/mmcloughlin/avo/build"
)

var family = flag.String("family", "", "kernel family to generate: vec, gemm, jacobi or im2col")

func main() {
	flag.Parse()
	ConstraintExpr("!purego")
	switch *family {
	case "vec":
		vectorKernels()
	case "gemm":
		gemmKernels()
	case "jacobi":
		jacobiKernels()
	case "im2col":
		im2colKernels()
	default:
		fmt.Fprintf(os.Stderr, "amd64: unknown -family %q\n", *family)
		os.Exit(2)
	}
	Generate()
}
