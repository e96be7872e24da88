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
// at a time: the convolution layers use it to put the batch innermost.
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
	g := v.gemm
	full := 0
	if g.packN != nil {
		full = rows / g.packRows * g.packRows
		for i := 0; i < full; i += g.packRows {
			g.packN(cols, a[i*lda:], lda, 1, dst[i:], ldd)
		}
	}
	if full < rows {
		transposeGeneric(rows-full, cols, a[full*lda:], lda, dst[full:], ldd)
	}
}

// Transpose writes the transpose of a into dst with the active variant.
func Transpose(rows, cols int, a []float32, lda int, dst []float32, ldd int) {
	active.Transpose(rows, cols, a, lda, dst, ldd)
}

// transposeGeneric is Transpose in Go, four rows at a time so that each
// destination row is written four values at once.
func transposeGeneric(rows, cols int, a []float32, lda int, dst []float32, ldd int) {
	i := 0
	for ; i+4 <= rows; i += 4 {
		a0, a1, a2, a3 := a[i*lda:i*lda+cols], a[(i+1)*lda:(i+1)*lda+cols], a[(i+2)*lda:(i+2)*lda+cols], a[(i+3)*lda:(i+3)*lda+cols]
		for j := range a0 {
			d := dst[j*ldd+i : j*ldd+i+4]
			d[0], d[1], d[2], d[3] = a0[j], a1[j], a2[j], a3[j]
		}
	}
	for ; i < rows; i++ {
		for j, x := range a[i*lda : i*lda+cols] {
			dst[j*ldd+i] = x
		}
	}
}
