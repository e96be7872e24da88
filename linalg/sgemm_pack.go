package linalg

import "github.com/rankae/rankae/kernels"

// packA copies alpha·op(A)[i0:i0+mc, p0:p0+kc] into dst as ⌈mc/mr⌉ micro-panels,
// each kc steps of mr values (the column of the panel's rows at that step), the
// last panel padded with zeros. op(A)[i][p] is a[i*lda+p], or a[p*lda+i] when
// transposed.
func packA(g kernels.GemmMicroKernel, dst, a []float32, lda int, trans bool, i0, mc, p0, kc int, alpha float32) {
	mr := g.MR
	if trans {
		// The whole panels in one call (it walks along Aᵀ's rows), then the
		// last, partial one padded with zeros.
		full := mc / mr
		g.PackATPanels(kc, full, a[p0*lda+i0:], lda, alpha, dst)
		if rows := mc - full*mr; rows > 0 {
			panel := dst[full*mr*kc : full*mr*kc+mr*kc]
			for p := 0; p < kc; p++ {
				src := a[(p0+p)*lda+i0+full*mr:]
				out := panel[p*mr : p*mr+mr]
				for i := 0; i < rows; i++ {
					out[i] = alpha * src[i]
				}
				clear(out[rows:])
			}
		}
		return
	}
	for ir := 0; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		panel := dst[ir*kc : ir*kc+mr*kc]
		// Row-major A: the panel is a transposition, which the variant's PackA does
		// for whole panels; the last, partial one is padded with zero rows.
		src := a[(i0+ir)*lda+p0:]
		if rows == mr {
			g.PackA(kc, src, lda, alpha, panel)
			continue
		}
		g.PackAPartial(kc, rows, src, lda, alpha, panel)
	}
}

// packB copies op(B)[p0:p0+kc, j0:j0+nc] into dst as ⌈nc/nr⌉ micro-panels, each kc
// steps of nr values (the row of the panel's columns at that step), the last panel
// padded with zeros. op(B)[p][j] is b[p*ldb+j], or b[j*ldb+p] when transposed.
func packB(g kernels.GemmMicroKernel, dst, b []float32, ldb int, trans bool, p0, kc, j0, nc int) {
	nr := g.NR
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		panel := dst[jr*kc : jr*kc+nr*kc]
		if !trans {
			src := b[p0*ldb+j0+jr:]
			if cols == nr {
				g.PackB(kc, src, ldb, panel)
				continue
			}
			for p := 0; p < kc; p++ {
				out := panel[p*nr : p*nr+nr]
				copy(out, src[p*ldb:p*ldb+cols])
				clear(out[cols:])
			}
			continue
		}
		src := b[(j0+jr)*ldb+p0:]
		if cols == nr {
			g.PackBT(kc, src, ldb, panel)
			continue
		}
		g.PackBTPartial(kc, cols, src, ldb, panel)
	}
}
