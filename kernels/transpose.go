package kernels

import "fmt"

// Transpose writes the transpose of the rows×cols row-major matrix a, row
// stride lda, into dst, a cols×rows matrix with row stride ldd:
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			dst[j*ldd+i] = a[i*lda+j]
//		}
//	}
//
// It runs on the GEMM's packing kernel (the one PackA uses), a group of rows
// at a time (GemmMicroKernel.transposeRows): the convolution layers use it to
// put the batch innermost.
func (v *Variant) Transpose(rows, cols int, a []float32, lda int, dst []float32, ldd int) {
	switch {
	case rows < 0 || cols < 0:
		panic(fmt.Sprintf("kernels: Transpose: %d×%d matrix", rows, cols))
	case rows == 0 || cols == 0:
		return
	case lda < cols || ldd < rows:
		panic(fmt.Sprintf("kernels: Transpose: strides %d and %d for a %d×%d matrix", lda, ldd, rows, cols))
	case len(a) < (rows-1)*lda+cols:
		panic(fmt.Sprintf("kernels: Transpose: len(a) = %d < %d rows of stride %d", len(a), rows, lda))
	case len(dst) < (cols-1)*ldd+rows:
		panic(fmt.Sprintf("kernels: Transpose: len(dst) = %d < %d rows of stride %d", len(dst), cols, ldd))
	}
	v.gemm.transposeRows(rows, cols, a, lda, 1, dst, ldd)
}

// Transpose writes the transpose of a into dst with the active variant.
func Transpose(rows, cols int, a []float32, lda int, dst []float32, ldd int) {
	active.Transpose(rows, cols, a, lda, dst, ldd)
}
