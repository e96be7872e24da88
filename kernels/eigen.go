package kernels

import "fmt"

// The float64 kernels of the symmetric eigensolver that preconditions the SVD
// (linalg/eigen_sym.go): a dot product, an axpy, the matrix-vector products
// y += X·alpha and y += Xᵀ·alpha and the rank-2 update on a column-major
// matrix, whose columns are contiguous, and the rotation sequence of a QL
// sweep. The Gram
// matrix of the SVD is eigen-decomposed in float64, so that its eigenvectors
// are orthogonal far beyond float32's precision.

// dot64Generic returns
//
//	for i := range x { s += x[i] * y[i] }
func dot64Generic(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	for i, xv := range x {
		s += xv * y[i]
	}
	return s
}

// axpy64Generic computes
//
//	for i := range x { y[i] += alpha * x[i] }
func axpy64Generic(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for i, xv := range x {
		y[i] += alpha * xv
	}
}

// gemv64Generic computes
//
//	for k, ak := range alpha {
//		for i := range y { y[i] += ak * x[k*ldx+i] }
//	}
func gemv64Generic(y, x []float64, ldx int, alpha []float64) {
	for k, ak := range alpha {
		axpy64Generic(ak, x[k*ldx:k*ldx+len(y)], y)
	}
}

// gemvT64Generic computes
//
//	for k := range y {
//		for i, ai := range alpha { y[k] += x[k*ldx+i] * ai }
//	}
func gemvT64Generic(y, x []float64, ldx int, alpha []float64) {
	for k := range y {
		y[k] += dot64Generic(x[k*ldx:k*ldx+len(alpha)], alpha)
	}
}

// rank2Update64Generic computes
//
//	for j := range alpha {
//		for i := range x { c[j*ldc+i] += alpha[j]*x[i] + beta[j]*y[i] }
//	}
func rank2Update64Generic(c []float64, ldc int, x, y, alpha, beta []float64) {
	for j, a := range alpha {
		cj := c[j*ldc : j*ldc+len(x)]
		b := beta[j]
		for i, xv := range x {
			cj[i] += a*xv + b*y[i]
		}
	}
}

// rotateSeq64Generic applies a sequence of plane rotations to consecutive
// columns, the last first (LAPACK dlasr, side R, pivot V, direct B):
//
//	for k := len(c) - 1; k >= 0; k-- {
//		x, y := z[k*ld:(k+1)*ld], z[(k+1)*ld:(k+2)*ld]
//		for i := range x {
//			x[i], y[i] = c[k]*x[i] - s[k]*y[i], s[k]*x[i] + c[k]*y[i]
//		}
//	}
func rotateSeq64Generic(z []float64, ld int, c, s []float64) {
	for k := len(c) - 1; k >= 0; k-- {
		jacobiRotate64Generic(z[k*ld:(k+1)*ld], z[(k+1)*ld:(k+2)*ld], c[k], s[k])
	}
}

// gemm4Cols64Generic computes
//
//	for j := 0; j < 4; j++ {
//		for p := 0; p < k; p++ {
//			for i := 0; i < m; i++ { c[j*ldc+i] += a[p*lda+i] * b[j*ldb+p] }
//		}
//	}
func gemm4Cols64Generic(m, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for j := 0; j < 4; j++ {
		gemv64Generic(c[j*ldc:j*ldc+m], a, lda, b[j*ldb:j*ldb+k])
	}
}

// widenGeneric computes
//
//	for i := range dst { dst[i] = float64(src[i]) }
func widenGeneric(dst []float64, src []float32) {
	src = src[:len(dst)]
	for i, e := range src {
		dst[i] = float64(e)
	}
}

// narrowGeneric computes
//
//	for i := range dst { dst[i] = float32(src[i]) }
func narrowGeneric(dst []float32, src []float64) {
	src = src[:len(dst)]
	for i, e := range src {
		dst[i] = float32(e)
	}
}

// Widen converts src to float64 into dst (exactly). The slices must have the
// same length.
func (v *Variant) Widen(dst []float64, src []float32) {
	checkLen("Widen", "dst", "src", len(dst), len(src))
	v.widen(dst, src)
}

// Narrow rounds src to float32 into dst (to nearest). The slices must have the
// same length.
func (v *Variant) Narrow(dst []float32, src []float64) {
	checkLen("Narrow", "dst", "src", len(dst), len(src))
	v.narrow(dst, src)
}

// secularTermsGeneric returns
//
//	for j := range delta {
//		t := z[j] / (delta[j] - tau)
//		s += z[j] * t
//		ds += t * t
//	}
func secularTermsGeneric(delta, z []float64, tau float64) (s, ds float64) {
	z = z[:len(delta)]
	for j, d := range delta {
		t := z[j] / (d - tau)
		s += z[j] * t
		ds += t * t
	}
	return s, ds
}

// SecularTerms returns Σ z_j²/(delta_j − tau) and Σ z_j²/(delta_j − tau)², the
// terms of the secular equation of divide and conquer and of its derivative
// (see secularTermsGeneric for the loop). The slices must have the same
// length.
func (v *Variant) SecularTerms(delta, z []float64, tau float64) (s, ds float64) {
	checkLen("SecularTerms", "delta", "z", len(delta), len(z))
	return v.secularTerms(delta, z, tau)
}

// scaleQuotients64Generic computes
//
//	for i := range w { w[i] *= num[i] / (den[i] - c) }
func scaleQuotients64Generic(w, num, den []float64, c float64) {
	num, den = num[:len(w)], den[:len(w)]
	for i := range w {
		w[i] *= num[i] / (den[i] - c)
	}
}

// ScaleQuotients64 multiplies w[i] by num[i]/(den[i] − c) (see
// scaleQuotients64Generic for the loop): the products of divide and conquer's
// Gu–Eisenstat vector, a division each. The slices must have the same length.
func (v *Variant) ScaleQuotients64(w, num, den []float64, c float64) {
	checkLen("ScaleQuotients64", "w", "num", len(w), len(num))
	checkLen("ScaleQuotients64", "w", "den", len(w), len(den))
	v.scaleQuotients64(w, num, den, c)
}

// quotients64Generic computes
//
//	for i := range q {
//		q[i] = num[i] / den[i]
//		ss += q[i] * q[i]
//	}
func quotients64Generic(q, num, den []float64) (ss float64) {
	num, den = num[:len(q)], den[:len(q)]
	for i := range q {
		q[i] = num[i] / den[i]
		ss += q[i] * q[i]
	}
	return ss
}

// Quotients64 writes num[i]/den[i] into q and returns Σ q[i]² (see
// quotients64Generic for the loop): divide and conquer's eigenvectors before
// they are normalised. q may be den (or num) itself. The slices must have the
// same length.
func (v *Variant) Quotients64(q, num, den []float64) (ss float64) {
	checkLen("Quotients64", "q", "num", len(q), len(num))
	checkLen("Quotients64", "q", "den", len(q), len(den))
	return v.quotients64(q, num, den)
}

// Dot64 returns Σ x[i]·y[i]. The slices must have the same length.
func (v *Variant) Dot64(x, y []float64) float64 {
	checkLen("Dot64", "x", "y", len(x), len(y))
	return v.dot64(x, y)
}

// Axpy64 computes y[i] += alpha·x[i]. The slices must have the same length.
func (v *Variant) Axpy64(alpha float64, x, y []float64) {
	checkLen("Axpy64", "x", "y", len(x), len(y))
	v.axpy64(alpha, x, y)
}

// Gemv64 computes y += X·alpha for the len(y)×len(alpha) column-major matrix X
// whose column k is x[k*ldx : k*ldx+len(y)]. It panics unless ldx ≥ len(y)
// and x holds every column.
func (v *Variant) Gemv64(y, x []float64, ldx int, alpha []float64) {
	if len(y) == 0 || len(alpha) == 0 {
		return
	}
	checkColumns("Gemv64", len(x), ldx, len(y), len(alpha))
	v.gemv64(y, x, ldx, alpha)
}

// GemvT64 computes y += Xᵀ·alpha for the len(alpha)×len(y) column-major matrix
// X whose column k is x[k*ldx : k*ldx+len(alpha)]: y[k] gains the dot product
// of column k with alpha. It panics unless ldx ≥ len(alpha) and x holds every
// column.
func (v *Variant) GemvT64(y, x []float64, ldx int, alpha []float64) {
	if len(y) == 0 {
		return
	}
	checkColumns("GemvT64", len(x), ldx, len(alpha), len(y))
	v.gemvT64(y, x, ldx, alpha)
}

// Rank2Update64 computes C += x·alphaᵀ + y·betaᵀ for the len(x)×len(alpha)
// column-major matrix C whose column j is c[j*ldc : j*ldc+len(x)]. x and y,
// and alpha and beta, must have the same lengths; ldc ≥ len(x); c must hold
// every column and not overlap x or y.
func (v *Variant) Rank2Update64(c []float64, ldc int, x, y, alpha, beta []float64) {
	checkLen("Rank2Update64", "x", "y", len(x), len(y))
	checkLen("Rank2Update64", "alpha", "beta", len(alpha), len(beta))
	if len(alpha) == 0 {
		return
	}
	checkColumns("Rank2Update64", len(c), ldc, len(x), len(alpha))
	v.rank2Update64(c, ldc, x, y, alpha, beta)
}

// RotateSeq64 applies the plane rotations (c[k], s[k]) to the column pairs
// (k, k+1) of the column-major matrix z with columns of length ld, for k from
// len(c)−1 down to 0 (the order of an implicit QL sweep), reading and writing
// each column once (see rotateSeq64Generic for the loop). c and s must have the
// same length and z must hold len(c)+1 columns.
func (v *Variant) RotateSeq64(z []float64, ld int, c, s []float64) {
	checkLen("RotateSeq64", "c", "s", len(c), len(s))
	if len(c) == 0 || ld == 0 {
		return
	}
	checkColumns("RotateSeq64", len(z), ld, ld, len(c)+1)
	v.rotateSeq64(z, ld, c, s)
}

// Gemm64 computes C += A·B for column-major matrices: C is m×n with column j
// at c[j*ldc:], A is m×k with column p at a[p*lda:], B is k×n with column j at
// b[j*ldb:]. Four columns of C go through each pass over a block of A (see
// gemm4Cols64Generic), the rest through Gemv64. It panics unless the
// strides are at least the column lengths and the slices hold the matrices;
// C must not overlap A or B.
func (v *Variant) Gemm64(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: Gemm64: %d×%d×%d product", m, n, k))
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	checkColumns("Gemm64", len(a), lda, m, k)
	checkColumns("Gemm64", len(b), ldb, k, n)
	checkColumns("Gemm64", len(c), ldc, m, n)
	// Blocks of A that stay in L2 while every group of four columns of C
	// passes over them: without them a large A is read from memory once per
	// group (≈ 9 GFMA/s at 4096×1024 against ≈ 40 in cache).
	for p0 := 0; p0 < k; p0 += gemm64KC {
		kb := min(gemm64KC, k-p0)
		for i0 := 0; i0 < m; i0 += gemm64MC {
			mb := min(gemm64MC, m-i0)
			ap := a[p0*lda+i0:]
			j := 0
			for ; j+4 <= n; j += 4 {
				v.gemm4Cols64(mb, kb, ap, lda, b[j*ldb+p0:], ldb, c[j*ldc+i0:], ldc)
			}
			for ; j < n; j++ {
				v.gemv64(c[j*ldc+i0:j*ldc+i0+mb], ap, lda, b[j*ldb+p0:j*ldb+p0+kb])
			}
		}
	}
}

// Gemm64's cache blocks: gemm64MC rows by gemm64KC columns of A, 512 KiB.
const (
	gemm64MC = 256
	gemm64KC = 256
)

// checkColumns panics unless a matrix of cols columns of rows elements, stride
// ld, fits in size elements, with ld ≥ rows.
func checkColumns(kernel string, size, ld, rows, cols int) {
	if ld < rows {
		panic(fmt.Sprintf("kernels: %s: stride %d < column length %d", kernel, ld, rows))
	}
	if need := (cols-1)*ld + rows; size < need {
		panic(fmt.Sprintf("kernels: %s: %d elements < %d for %d columns of %d with stride %d", kernel, size, need, cols, rows, ld))
	}
}

// Widen converts src to float64 with the active variant.
func Widen(dst []float64, src []float32) { active.Widen(dst, src) }

// Narrow rounds src to float32 with the active variant.
func Narrow(dst []float32, src []float64) { active.Narrow(dst, src) }

// SecularTerms sums the secular equation's terms with the active variant.
func SecularTerms(delta, z []float64, tau float64) (s, ds float64) {
	return active.SecularTerms(delta, z, tau)
}

// ScaleQuotients64 multiplies w by num/(den − c) with the active variant.
func ScaleQuotients64(w, num, den []float64, c float64) { active.ScaleQuotients64(w, num, den, c) }

// Quotients64 writes num/den into q and returns Σ q² with the active variant.
func Quotients64(q, num, den []float64) (ss float64) { return active.Quotients64(q, num, den) }

// Dot64 returns Σ x[i]·y[i] with the active variant.
func Dot64(x, y []float64) float64 { return active.Dot64(x, y) }

// Axpy64 computes y += alpha·x with the active variant.
func Axpy64(alpha float64, x, y []float64) { active.Axpy64(alpha, x, y) }

// Gemv64 computes y += X·alpha with the active variant.
func Gemv64(y, x []float64, ldx int, alpha []float64) { active.Gemv64(y, x, ldx, alpha) }

// GemvT64 computes y += Xᵀ·alpha with the active variant.
func GemvT64(y, x []float64, ldx int, alpha []float64) { active.GemvT64(y, x, ldx, alpha) }

// Rank2Update64 computes C += x·alphaᵀ + y·betaᵀ with the active variant.
func Rank2Update64(c []float64, ldc int, x, y, alpha, beta []float64) {
	active.Rank2Update64(c, ldc, x, y, alpha, beta)
}

// Gemm64 computes C += A·B (column-major) with the active variant.
func Gemm64(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	active.Gemm64(m, n, k, a, lda, b, ldb, c, ldc)
}

// RotateSeq64 applies a sequence of rotations to consecutive columns with the
// active variant.
func RotateSeq64(z []float64, ld int, c, s []float64) { active.RotateSeq64(z, ld, c, s) }
