package kernels

import "fmt"

// GemmMicroKernel is the register-blocked heart of SGEMM (BLIS's micro-kernel
// contract) for one variant: an MR×NR tile of C becomes beta·C plus the product of
// a packed MR-row panel of A and a packed NR-column panel of B (Run), with forms for
// a column of tiles (RunColumn), a row of tiles on B in place (RunRow, for small k)
// and the partial tiles at C's edges (RunPartial), and the packing that lays the
// panels out (PackA, PackAT, PackATPanels, PackB, PackBT). Package linalg drives
// it. The optional fields are faster kernels for what the methods otherwise do with
// Run and Go loops.
type GemmMicroKernel struct {
	MR, NR int
	run    func(k int, a, b, c []float32, ldc int, beta float32)
	// runColumn, when not nil, is RunColumn.
	runColumn func(k int, a, b, c []float32, ldc int, beta float32, tiles int)
	// runRow, when not nil, is RunRow.
	runRow func(k int, a, b []float32, ldb int, c []float32, ldc int, beta float32, tiles int)
	// runEdge, when not nil, is RunPartial for mr = MR.
	runEdge func(k int, a, b, c []float32, ldc int, beta float32, nr int)
	// runRows, when not nil, is RunPartial for nr = NR and mr < MR.
	runRows func(k int, a, b, c []float32, ldc int, beta float32, mr int)
	// packN, when not nil, transposes packRows rows:
	// dst[p*ldd+i] = alpha*a[i*lda+p] for p < k, i < packRows; PackA and PackBT
	// run it on every packRows rows of their panels when packRows divides them.
	packN    func(k int, a []float32, lda int, alpha float32, dst []float32, ldd int)
	packRows int
	// packA, when not nil, is PackA (for an MR that packN does not divide).
	packA func(k int, a []float32, lda int, alpha float32, dst []float32)
	// packB, when not nil, is PackB for this NR.
	packB func(k int, b []float32, ldb int, dst []float32)
	// copyRows is the variant's im2col block copy, which is PackAT.
	copyRows func(dst, src []float32, rows, cols, ldsrc int)
	// packATPanels, when not nil, is PackATPanels for alpha = 1.
	packATPanels func(k, panels int, a []float32, lda int, dst []float32)
}

// Gemm returns the variant's SGEMM micro-kernel.
func (v *Variant) Gemm() GemmMicroKernel { return v.gemm }

// Run computes, for i < MR, j < NR,
//
//	c[i*ldc+j] = beta*c[i*ldc+j] + Σ_{p<k} a[p*MR+i] * b[p*NR+j]
//
// where a holds k steps of MR values, b k steps of NR values and c is a row-major
// tile with stride ldc ≥ NR. When beta is zero, c is only written (BLAS's rule:
// whatever it held, NaN included, is overwritten).
func (g GemmMicroKernel) Run(k int, a, b, c []float32, ldc int, beta float32) {
	switch {
	case k < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: k = %d < 0", k))
	case ldc < g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: ldc = %d < NR = %d", ldc, g.NR))
	case len(a) < k*g.MR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: len(a) = %d < k*MR = %d", len(a), k*g.MR))
	case len(b) < k*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: len(b) = %d < k*NR = %d", len(b), k*g.NR))
	case len(c) < (g.MR-1)*ldc+g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel: len(c) = %d < (MR-1)*ldc+NR = %d", len(c), (g.MR-1)*ldc+g.NR))
	}
	g.run(k, a, b, c, ldc, beta)
}

// PackA packs MR rows of a row-major A with stride lda, k columns of them, into
// the layout Run reads, scaled by alpha:
//
//	dst[p*MR+i] = alpha * a[i*lda+p]   for p < k, i < MR
func (g GemmMicroKernel) PackA(k int, a []float32, lda int, alpha float32, dst []float32) {
	g.transpose("PackA", g.MR, g.MR, k, a, lda, alpha, dst, g.packA)
}

// PackAT packs MR rows of A given transposed (A's columns are the rows of
// the row-major Aᵀ with stride lda), k columns of them, into the layout Run
// reads, scaled by alpha:
//
//	dst[p*MR+i] = alpha * a[p*lda+i]   for p < k, i < MR
//
// No transposition is left to do: it is a copy of k runs of MR values.
func (g GemmMicroKernel) PackAT(k int, a []float32, lda int, alpha float32, dst []float32) {
	if checkRuns("PackAT", k, g.MR, lda, len(a), len(dst)) {
		return
	}
	if alpha == 1 && g.copyRows != nil {
		g.copyRows(dst[:k*g.MR], a[:(k-1)*lda+g.MR], k, g.MR, lda)
		return
	}
	for p := 0; p < k; p++ {
		out, src := dst[p*g.MR:(p+1)*g.MR], a[p*lda:p*lda+g.MR]
		for i, x := range src {
			out[i] = alpha * x
		}
	}
}

// PackATPanels is PackAT for panels consecutive panels of A given transposed,
// the q-th from A's row q·MR on, packed one after the other:
//
//	dst[q*k*MR+p*MR+i] = alpha * a[p*lda+q*MR+i]   for q < panels, p < k, i < MR
//
// With alpha = 1 the variant may walk along Aᵀ's rows, each feeding every panel,
// rather than down one panel's k rows after the other (gen/amd64/gemm_pack.go).
func (g GemmMicroKernel) PackATPanels(k, panels int, a []float32, lda int, alpha float32, dst []float32) {
	if panels < 0 {
		panic(fmt.Sprintf("kernels: GemmMicroKernel.PackATPanels: panels = %d < 0", panels))
	}
	if panels == 0 || checkRuns("PackATPanels", k, panels*g.MR, lda, len(a), len(dst)) {
		return
	}
	if alpha == 1 && g.packATPanels != nil {
		g.packATPanels(k, panels, a, lda, dst)
		return
	}
	for q := 0; q < panels; q++ {
		g.PackAT(k, a[q*g.MR:], lda, alpha, dst[q*k*g.MR:])
	}
}

// PackBT packs NR rows of a row-major Bᵀ with stride ldb (NR columns of B), k
// columns of them, into the layout Run reads:
//
//	dst[p*NR+j] = b[j*ldb+p]   for p < k, j < NR
//
// (An untransposed B needs no such kernel: its rows are already contiguous.)
func (g GemmMicroKernel) PackBT(k int, b []float32, ldb int, dst []float32) {
	g.transpose("PackBT", g.NR, g.NR, k, b, ldb, 1, dst, nil)
}

// PackB packs NR columns of a row-major B with stride ldb, k rows of them, into the
// layout Run reads:
//
//	dst[p*NR+j] = b[p*ldb+j]   for p < k, j < NR
func (g GemmMicroKernel) PackB(k int, b []float32, ldb int, dst []float32) {
	if checkRuns("PackB", k, g.NR, ldb, len(b), len(dst)) {
		return
	}
	if g.packB == nil {
		packBGeneric(g.NR, k, b, ldb, dst)
		return
	}
	g.packB(k, b, ldb, dst)
}

// checkRuns panics unless a packing of k runs of width values, from a source
// of n values at stride ld into a destination of nd, has its arguments in
// range; it reports whether there is nothing to pack (k = 0).
func checkRuns(name string, k, width, ld, n, nd int) bool {
	switch {
	case k < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: k = %d < 0", name, k))
	case k == 0:
		return true
	case ld < width:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: stride %d < %d", name, ld, width))
	case n < (k-1)*ld+width:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: len = %d < %d rows of stride %d", name, n, k, ld))
	case nd < k*width:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: len(dst) = %d < %d", name, nd, k*width))
	}
	return false
}

// packBGeneric is the reference of PackB for nr columns.
func packBGeneric(nr, k int, b []float32, ldb int, dst []float32) {
	for p := 0; p < k; p++ {
		copy(dst[p*nr:p*nr+nr], b[p*ldb:p*ldb+nr])
	}
}

// transpose computes dst[p*width+i] = alpha*a[i*lda+p] for p < k, i < rows ≤
// width, and 0 for rows ≤ i < width: with whole when it is not nil and the
// panel is full, else transposeRows.
func (g GemmMicroKernel) transpose(name string, width, rows, k int, a []float32, lda int, alpha float32, dst []float32,
	whole func(k int, a []float32, lda int, alpha float32, dst []float32)) {
	switch {
	case k < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: k = %d < 0", name, k))
	case rows < 0 || rows > width:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: %d rows outside [0, %d]", name, rows, width))
	case k == 0:
		return
	case lda < k:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: stride %d < k = %d", name, lda, k))
	case rows > 0 && len(a) < (rows-1)*lda+k:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: len = %d < %d rows of stride %d", name, len(a), rows, lda))
	case len(dst) < k*width:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.%s: len(dst) = %d < %d", name, len(dst), k*width))
	}
	if whole != nil && rows == width {
		whole(k, a, lda, alpha, dst)
		return
	}
	g.transposeRows(rows, k, a, lda, alpha, dst, width)
	if rows < width {
		for p := 0; p < k; p++ {
			clear(dst[p*width+rows : (p+1)*width])
		}
	}
}

// transposeRows computes dst[p*ldd+i] = alpha*a[i*lda+p] for i < rows, p < k:
// packN on every whole group of packRows rows where the variant has it, a Go
// loop on the rest. Its callers check the arguments.
func (g GemmMicroKernel) transposeRows(rows, k int, a []float32, lda int, alpha float32, dst []float32, ldd int) {
	full := 0
	if g.packN != nil {
		full = rows / g.packRows * g.packRows
		for i := 0; i < full; i += g.packRows {
			g.packN(k, a[i*lda:], lda, alpha, dst[i:], ldd)
		}
	}
	if full == rows {
		return
	}
	for p := 0; p < k; p++ {
		out := dst[p*ldd+full : p*ldd+rows]
		for i := range out {
			out[i] = alpha * a[(full+i)*lda+p]
		}
	}
}

// PackAPartial is PackA for the last rows < MR rows of A: the panel's rows
// from rows on are zeros.
//
//	dst[p*MR+i] = alpha * a[i*lda+p]   for p < k, i < rows; 0 for rows ≤ i < MR
func (g GemmMicroKernel) PackAPartial(k, rows int, a []float32, lda int, alpha float32, dst []float32) {
	g.transpose("PackAPartial", g.MR, rows, k, a, lda, alpha, dst, nil)
}

// PackBTPartial is PackBT for the last cols < NR columns of B:
//
//	dst[p*NR+j] = b[j*ldb+p]   for p < k, j < cols; 0 for cols ≤ j < NR
func (g GemmMicroKernel) PackBTPartial(k, cols int, b []float32, ldb int, dst []float32) {
	g.transpose("PackBTPartial", g.NR, cols, k, b, ldb, 1, dst, nil)
}

// RunColumn is Run down a column of tiles: for t < tiles,
//
//	Run(k, a[t*k*MR:], b, c[t*MR*ldc:], ldc, beta)
//
// with one call into assembly where the variant has such a kernel.
func (g GemmMicroKernel) RunColumn(k int, a, b, c []float32, ldc int, beta float32, tiles int) {
	switch {
	case tiles < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunColumn: tiles = %d < 0", tiles))
	case tiles == 0:
		return
	case k < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunColumn: k = %d < 0", k))
	case ldc < g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunColumn: ldc = %d < NR = %d", ldc, g.NR))
	case len(a) < tiles*k*g.MR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunColumn: len(a) = %d < tiles*k*MR = %d", len(a), tiles*k*g.MR))
	case len(b) < k*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunColumn: len(b) = %d < k*NR = %d", len(b), k*g.NR))
	case len(c) < (tiles*g.MR-1)*ldc+g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunColumn: len(c) = %d < (tiles*MR-1)*ldc+NR = %d", len(c), (tiles*g.MR-1)*ldc+g.NR))
	}
	if g.runColumn != nil {
		g.runColumn(k, a, b, c, ldc, beta, tiles)
		return
	}
	for t := 0; t < tiles; t++ {
		g.run(k, a[t*k*g.MR:], b, c[t*g.MR*ldc:], ldc, beta)
	}
}

// RunRow is Run along a row of tiles with B read in place: for t < tiles,
//
//	Run(k, a, b̃, c[t*NR:], ldc, beta)   where b̃[p*NR+j] = b[p*ldb+t*NR+j]
//
// that is, for i < MR and j < tiles·NR,
//
//	c[i*ldc+j] = beta*c[i*ldc+j] + Σ_{p<k} a[p*MR+i] * b[p*ldb+j]
//
// b is k rows of a row-major B (stride ldb ≥ tiles·NR), unpacked. For small k the
// product is bound by writing C, and this order writes the MR rows of C as
// sequential streams and needs no packed B. HasRunRow tells whether the variant
// has a kernel for it; without one, RunRow is a plain Go loop.
func (g GemmMicroKernel) RunRow(k int, a, b []float32, ldb int, c []float32, ldc int, beta float32, tiles int) {
	switch {
	case tiles < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunRow: tiles = %d < 0", tiles))
	case tiles == 0:
		return
	case k < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunRow: k = %d < 0", k))
	case ldc < tiles*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunRow: ldc = %d < tiles*NR = %d", ldc, tiles*g.NR))
	case k > 0 && ldb < tiles*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunRow: ldb = %d < tiles*NR = %d", ldb, tiles*g.NR))
	case len(a) < k*g.MR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunRow: len(a) = %d < k*MR = %d", len(a), k*g.MR))
	case k > 0 && len(b) < (k-1)*ldb+tiles*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunRow: len(b) = %d < (k-1)*ldb+tiles*NR = %d", len(b), (k-1)*ldb+tiles*g.NR))
	case len(c) < (g.MR-1)*ldc+tiles*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunRow: len(c) = %d < (MR-1)*ldc+tiles*NR = %d", len(c), (g.MR-1)*ldc+tiles*g.NR))
	}
	if g.runRow != nil {
		g.runRow(k, a, b, ldb, c, ldc, beta, tiles)
		return
	}
	runRowGeneric(g.MR, tiles*g.NR, k, a, b, ldb, c, ldc, beta)
}

// HasRunRow reports whether the variant has a kernel for RunRow.
func (g GemmMicroKernel) HasRunRow() bool { return g.runRow != nil }

// runRowGeneric is the reference of RunRow for mr rows and n columns.
func runRowGeneric(mr, n, k int, a, b []float32, ldb int, c []float32, ldc int, beta float32) {
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			var s float32
			for p := 0; p < k; p++ {
				s += a[p*mr+i] * b[p*ldb+j]
			}
			if beta == 0 {
				row[j] = s
			} else {
				row[j] = beta*row[j] + s
			}
		}
	}
}

// RunPartial is Run for the top-left mr×nr corner of the tile (0 < mr ≤ MR,
// 0 < nr ≤ NR), for the edges of C: it reads and writes c[i*ldc+j] for i < mr,
// j < nr only, so c need only hold (mr-1)*ldc+nr floats. The panels a and b are
// full (MR and NR wide, padded with anything finite). scratch, of MR·NR floats,
// holds the whole tile where the variant has no kernel for partial tiles (it is
// the caller's so that this allocates nothing).
func (g GemmMicroKernel) RunPartial(k int, a, b, c []float32, ldc int, beta float32, mr, nr int, scratch []float32) {
	switch {
	case mr < 1 || mr > g.MR || nr < 1 || nr > g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunPartial: %d×%d outside the %d×%d tile", mr, nr, g.MR, g.NR))
	case k < 0:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunPartial: k = %d < 0", k))
	case ldc < nr:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunPartial: ldc = %d < nr = %d", ldc, nr))
	case len(a) < k*g.MR || len(b) < k*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunPartial: len(a), len(b) = %d, %d < %d, %d", len(a), len(b), k*g.MR, k*g.NR))
	case len(c) < (mr-1)*ldc+nr:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunPartial: len(c) = %d < (mr-1)*ldc+nr = %d", len(c), (mr-1)*ldc+nr))
	case len(scratch) < g.MR*g.NR:
		panic(fmt.Sprintf("kernels: GemmMicroKernel.RunPartial: len(scratch) = %d < MR*NR = %d", len(scratch), g.MR*g.NR))
	}
	if mr == g.MR && g.runEdge != nil {
		g.runEdge(k, a, b, c, ldc, beta, nr)
		return
	}
	if nr == g.NR && mr < g.MR && g.runRows != nil {
		g.runRows(k, a, b, c, ldc, beta, mr)
		return
	}
	tile := scratch[:g.MR*g.NR]
	g.run(k, a, b, tile, g.NR, 0)
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+nr]
		for j, v := range tile[i*g.NR : i*g.NR+nr] {
			if beta == 0 {
				row[j] = v
			} else {
				row[j] = beta*row[j] + v
			}
		}
	}
}

// The generic micro-kernel's shape: 4×4 keeps its sixteen accumulators in
// registers on amd64 and arm64.
const genericMR, genericNR = 4, 4

// gemmGeneric is the reference micro-kernel, genericMR×genericNR.
func gemmGeneric(k int, a, b, c []float32, ldc int, beta float32) {
	var acc [genericMR][genericNR]float32
	for p := 0; p < k; p++ {
		ap := a[p*genericMR : p*genericMR+genericMR]
		bp := b[p*genericNR : p*genericNR+genericNR]
		for i, av := range ap {
			for j, bv := range bp {
				acc[i][j] += av * bv
			}
		}
	}
	for i := range acc {
		row := c[i*ldc : i*ldc+genericNR]
		for j := range row {
			if beta == 0 {
				row[j] = acc[i][j]
			} else {
				row[j] = beta*row[j] + acc[i][j]
			}
		}
	}
}

// FMAPeak returns a loop of independent FMAs in the variant's widest vectors and
// the floating-point operations one of its iterations performs, for measuring the
// core's peak; nil for the generic variant.
func (v *Variant) FMAPeak() (loop func(iterations int), flopsPerIteration int) {
	return v.fmaPeak, v.fmaPeakFlops
}
