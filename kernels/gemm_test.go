package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestGemmMicroKernel(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, uint64(v.level)))
			for _, k := range []int{0, 1, 2, 3, 7, 16, 63, 257} {
				for _, beta := range []float32{0, 1, -0.5} {
					for _, ldc := range []int{g.NR, g.NR + 5} {
						a, _ := randomSlice(r, k*g.MR, 1)
						b, _ := randomSlice(r, k*g.NR, 3)
						n := (g.MR-1)*ldc + g.NR
						c, cbuf := randomSlice(r, n, 2)
						if beta == 0 {
							c[0] = float32(math.NaN()) // must be overwritten, not scaled
						}
						c0 := append([]float32(nil), c...)
						g.Run(k, a, b, c, ldc, beta)
						checkGuards(t, "GemmMicroKernel", cbuf, n, 2)
						checkTile(t, fmt.Sprintf("k=%d ldc=%d beta=%v", k, ldc, beta), g, k, a, b, beta, c, c0, ldc, g.NR)
					}
				}
			}
		})
	}
}

// checkTile checks c, a tile of stride ldc that held c0, after C = beta·C + ÃB̃ on
// its first nr columns: those against float64 sums, the rest of every row unchanged.
func checkTile(t *testing.T, name string, g GemmMicroKernel, k int, a, b []float32, beta float32, c, c0 []float32, ldc, nr int) {
	t.Helper()
	for idx := range c {
		i, j := idx/ldc, idx%ldc
		if j >= nr {
			if math.Float32bits(c[idx]) != math.Float32bits(c0[idx]) {
				t.Fatalf("%s: wrote c[%d,%d] outside the tile", name, i, j)
			}
			continue
		}
		var terms []float64
		if beta != 0 {
			terms = append(terms, float64(beta)*float64(c0[idx]))
		}
		for p := 0; p < k; p++ {
			terms = append(terms, float64(a[p*g.MR+i])*float64(b[p*g.NR+j]))
		}
		checkReduction(t, fmt.Sprintf("%s c[%d,%d]", name, i, j), c[idx], terms)
	}
}

func TestGemmPacking(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(4, uint64(v.level)))
			for _, pack := range []struct {
				name  string
				rows  int
				alpha float32
				run   func(k int, a []float32, lda int, dst []float32)
			}{
				{"PackA", g.MR, -1.5, func(k int, a []float32, lda int, dst []float32) { g.PackA(k, a, lda, -1.5, dst) }},
				{"PackBT", g.NR, 1, g.PackBT},
			} {
				for k := 0; k <= 70; k++ {
					for _, pad := range []int{0, 3} {
						lda := k + pad
						n := (pack.rows-1)*lda + k
						if k == 0 {
							n = 0
						}
						a, _ := randomSlice(r, n, 1)
						dst, buf := guarded(k*pack.rows, 2)
						pack.run(k, a, lda, dst)
						checkGuards(t, pack.name, buf, k*pack.rows, 2)
						want := make([]float32, k*pack.rows)
						transposeReference(pack.rows, k, a, lda, pack.alpha, want)
						checkExact(t, pack.name, k, pad, dst, want)
					}
				}
			}
		})
	}
}

// TestGemmPackAT checks PackAT, the copy of a transposed A's panel, with
// alpha 1 (the copy kernel) and another alpha (the Go loop).
func TestGemmPackAT(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		r := rand.New(rand.NewPCG(6, uint64(v.level)))
		for _, alpha := range []float32{1, -1.5} {
			for k := 0; k <= 70; k++ {
				for _, pad := range []int{0, 3} {
					lda := g.MR + pad
					n := (k-1)*lda + g.MR
					if k == 0 {
						n = 0
					}
					a, _ := randomSlice(r, n, 1)
					dst, buf := guarded(k*g.MR, 2)
					g.PackAT(k, a, lda, alpha, dst)
					checkGuards(t, "PackAT", buf, k*g.MR, 2)
					want := make([]float32, k*g.MR)
					for p := 0; p < k; p++ {
						for i := 0; i < g.MR; i++ {
							want[p*g.MR+i] = alpha * a[p*lda+i]
						}
					}
					checkExact(t, fmt.Sprintf("%s PackAT alpha=%v", v, alpha), k, pad, dst, want)
				}
			}
		}
	}
}

// TestGemmPackATPanels checks PackATPanels, PackAT over consecutive panels,
// with alpha 1 (the variant's kernel where it has one) and another alpha (PackAT
// panel by panel), for 0 to 4 panels.
func TestGemmPackATPanels(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		r := rand.New(rand.NewPCG(7, uint64(v.level)))
		for _, alpha := range []float32{1, -1.5} {
			for _, k := range []int{0, 1, 2, 5, 33, 70} {
				for panels := 0; panels <= 4; panels++ {
					for _, pad := range []int{0, 3} {
						lda := panels*g.MR + pad
						n := (k-1)*lda + panels*g.MR
						if k == 0 || panels == 0 {
							n = 0
						}
						a, _ := randomSlice(r, n, 1)
						size := panels * k * g.MR
						dst, buf := guarded(size, 2)
						g.PackATPanels(k, panels, a, lda, alpha, dst)
						name := fmt.Sprintf("%s PackATPanels alpha=%v panels=%d", v, alpha, panels)
						checkGuards(t, name, buf, size, 2)
						want := make([]float32, size)
						for q := 0; q < panels; q++ {
							for p := 0; p < k; p++ {
								for i := 0; i < g.MR; i++ {
									want[q*k*g.MR+p*g.MR+i] = alpha * a[p*lda+q*g.MR+i]
								}
							}
						}
						checkExact(t, name, k, pad, dst, want)
					}
				}
			}
		}
	}
}

// TestGemmPackPartial checks PackAPartial and PackBTPartial at every row
// count up to the panel width (whole packN groups and a remainder), against
// the transposition with zero padding, on buffers that held garbage.
func TestGemmPackPartial(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		r := rand.New(rand.NewPCG(5, uint64(v.level)))
		for _, pack := range []struct {
			name  string
			width int
			alpha float32
			run   func(k, rows int, a []float32, lda int, dst []float32)
		}{
			{"PackAPartial", g.MR, -1.5, func(k, rows int, a []float32, lda int, dst []float32) {
				g.PackAPartial(k, rows, a, lda, -1.5, dst)
			}},
			{"PackBTPartial", g.NR, 1, g.PackBTPartial},
		} {
			for rows := 0; rows <= pack.width; rows++ {
				for _, k := range []int{1, 7, 33} {
					lda := k + 2
					a, _ := randomSlice(r, max(rows, 1)*lda, 0)
					dst, buf := guarded(k*pack.width, 1)
					for i := range dst {
						dst[i] = float32(math.NaN())
					}
					pack.run(k, rows, a, lda, dst)
					checkGuards(t, pack.name, buf, k*pack.width, 1)
					want := make([]float32, k*pack.width)
					for p := 0; p < k; p++ {
						for i := 0; i < rows; i++ {
							want[p*pack.width+i] = pack.alpha * a[i*lda+p]
						}
					}
					checkExact(t, fmt.Sprintf("%s %s rows=%d", v, pack.name, rows), k, 0, dst, want)
				}
			}
		}
	}
}

func TestGemmPackB(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, uint64(v.level)))
			for k := 0; k <= 40; k++ {
				for _, pad := range []int{0, 5} {
					ldb := g.NR + pad
					n := 0
					if k > 0 {
						n = (k-1)*ldb + g.NR
					}
					b, _ := randomSlice(r, n, 1)
					dst, buf := guarded(k*g.NR, 2)
					g.PackB(k, b, ldb, dst)
					checkGuards(t, "PackB", buf, k*g.NR, 2)
					want := make([]float32, k*g.NR)
					packBGeneric(g.NR, k, b, ldb, want)
					checkExact(t, "PackB", k, pad, dst, want)
				}
			}
		})
	}
}

// TestGemmRunColumn checks the column kernel against Run tile by tile.
func TestGemmRunColumn(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(v.level)))
			for _, tiles := range []int{0, 1, 2, 5} {
				for _, k := range []int{0, 1, 9, 33} {
					for _, beta := range []float32{0, 0.5} {
						ldc := g.NR + 3
						a, _ := randomSlice(r, tiles*k*g.MR, 1)
						b, _ := randomSlice(r, k*g.NR, 2)
						n := 0
						if tiles > 0 {
							n = (tiles*g.MR-1)*ldc + g.NR
						}
						c, cbuf := randomSlice(r, n, 3)
						want := append([]float32(nil), c...)
						for tt := 0; tt < tiles; tt++ {
							g.Run(k, a[tt*k*g.MR:], b, want[tt*g.MR*ldc:], ldc, beta)
						}
						g.RunColumn(k, a, b, c, ldc, beta, tiles)
						checkGuards(t, "RunColumn", cbuf, n, 3)
						checkExact(t, fmt.Sprintf("RunColumn tiles=%d k=%d beta=%v", tiles, k, beta), n, 3, c, want)
					}
				}
			}
		})
	}
}

// TestGemmRunRow checks the row kernel against Run on packed panels, tile by tile,
// and against its Go reference, with NaN guards around C.
func TestGemmRunRow(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(8, uint64(v.level)))
			for _, tiles := range []int{0, 1, 2, 5} {
				for _, k := range []int{0, 1, 2, 3, 9, 16, 33} {
					for _, beta := range []float32{0, 0.5} {
						ldb := tiles*g.NR + 7
						ldc := tiles*g.NR + 3
						a, _ := randomSlice(r, k*g.MR, 1)
						nb := 0
						if k > 0 {
							nb = (k-1)*ldb + tiles*g.NR
						}
						b, _ := randomSlice(r, nb, 2)
						n := 0
						if tiles > 0 {
							n = (g.MR-1)*ldc + tiles*g.NR
						}
						c, cbuf := randomSlice(r, n, 3)
						if beta == 0 && n > 0 {
							c[0] = float32(math.NaN()) // must be overwritten, not scaled
						}
						want := append([]float32(nil), c...)
						panel := make([]float32, k*g.NR)
						for tt := 0; tt < tiles; tt++ {
							for p := 0; p < k; p++ {
								copy(panel[p*g.NR:(p+1)*g.NR], b[p*ldb+tt*g.NR:])
							}
							g.Run(k, a, panel, want[tt*g.NR:], ldc, beta)
						}
						name := fmt.Sprintf("RunRow tiles=%d k=%d beta=%v", tiles, k, beta)
						g.RunRow(k, a, b, ldb, c, ldc, beta, tiles)
						checkGuards(t, name, cbuf, n, 3)
						checkExact(t, name, n, 3, c, want)
					}
				}
			}
		})
	}
}

// TestGemmRunPartial checks the edge tiles: only the mr×nr corner is read and
// written, for every row count and every width of the masked last vector.
func TestGemmRunPartial(t *testing.T) {
	for _, v := range Variants() {
		g := v.Gemm()
		t.Run(v.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(6, uint64(v.level)))
			widths := []int{1, 2, g.NR - 1, g.NR}
			for nr := 3; nr < g.NR; nr += 5 {
				widths = append(widths, nr)
			}
			for mr := 1; mr <= g.MR; mr++ {
				for _, nr := range widths {
					if nr < 1 || mr < 1 {
						continue
					}
					for _, k := range []int{0, 1, 5, 64} {
						for _, beta := range []float32{0, -0.5} {
							const ldc = 53
							a, _ := randomSlice(r, k*g.MR, 1)
							b, _ := randomSlice(r, k*g.NR, 0)
							n := (mr-1)*ldc + nr
							c, cbuf := randomSlice(r, n, 3)
							if beta == 0 {
								c[0] = float32(math.NaN())
							}
							c0 := append([]float32(nil), c...)
							g.RunPartial(k, a, b, c, ldc, beta, mr, nr, make([]float32, g.MR*g.NR))
							name := fmt.Sprintf("RunPartial mr=%d nr=%d k=%d beta=%v", mr, nr, k, beta)
							checkGuards(t, name, cbuf, n, 3)
							checkTile(t, name, g, k, a, b, beta, c, c0, ldc, nr)
						}
					}
				}
			}
		})
	}
}

func TestGemmMicroKernelChecksArguments(t *testing.T) {
	g := Active().Gemm()
	defer func() {
		if r := recover(); r == nil || fmt.Sprint(r) != fmt.Sprintf("kernels: GemmMicroKernel: len(a) = 0 < k*MR = %d", g.MR) {
			t.Fatalf("recovered %v", r)
		}
	}()
	g.Run(1, nil, make([]float32, g.NR), make([]float32, g.MR*g.NR), g.NR, 0)
}

// TestGemmPackATPanelsChecksArguments: a source or destination too short for
// the panels, a stride narrower than them and a negative count panic with a
// message that says which, before any kernel runs.
func TestGemmPackATPanelsChecksArguments(t *testing.T) {
	g := Active().Gemm()
	w := 2 * g.MR
	a, dst := make([]float32, 3*w), make([]float32, 3*w)
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"kernels: GemmMicroKernel.PackATPanels: panels = -1 < 0", func() { g.PackATPanels(3, -1, a, w, 1, dst) }},
		{fmt.Sprintf("kernels: GemmMicroKernel.PackATPanels: stride %d < %d", w-1, w), func() { g.PackATPanels(3, 2, a, w-1, 1, dst) }},
		{fmt.Sprintf("kernels: GemmMicroKernel.PackATPanels: len = %d < 3 rows of stride %d", 3*w-1, w), func() { g.PackATPanels(3, 2, a[:3*w-1], w, 1, dst) }},
		{fmt.Sprintf("kernels: GemmMicroKernel.PackATPanels: len(dst) = %d < %d", 3*w-1, 3*w), func() { g.PackATPanels(3, 2, a, w, 1, dst[:3*w-1]) }},
	} {
		func() {
			defer func() {
				if r := recover(); fmt.Sprint(r) != tc.want {
					t.Errorf("panic %q, want %q", r, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

func TestFMAPeakRuns(t *testing.T) {
	for _, v := range Variants() {
		loop, flops := v.FMAPeak()
		if (loop == nil) != (v.Level() == Generic) || (loop != nil && flops <= 0) {
			t.Fatalf("%v: FMAPeak() = %v, %d", v, loop != nil, flops)
		}
		if loop != nil {
			loop(0)
			loop(1000)
		}
	}
}

func BenchmarkFMAPeak(b *testing.B) {
	for _, v := range Variants() {
		loop, flops := v.FMAPeak()
		if loop == nil {
			continue
		}
		b.Run("level="+v.String(), func(b *testing.B) {
			const iterations = 1 << 16
			for b.Loop() {
				loop(iterations)
			}
			b.ReportMetric(float64(flops)*iterations*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkGemmMicroKernel runs the micro-kernel on panels that stay in L1: the
// ceiling of what the SGEMM driver can reach.
func BenchmarkGemmMicroKernel(b *testing.B) {
	const k = 256
	for _, v := range Variants() {
		g := v.Gemm()
		b.Run("level="+v.String(), func(b *testing.B) {
			a, bp, c := filled(k*g.MR, 0.01), filled(k*g.NR, 0.01), make([]float32, g.MR*g.NR)
			for b.Loop() {
				g.Run(k, a, bp, c, g.NR, 1)
			}
			b.ReportMetric(2*float64(k*g.MR*g.NR)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkGemmRunPartial runs the partial tiles of the last row of tiles (mr < MR
// rows, all NR columns) in L1, reporting the useful mr×NR FLOPs: against the
// full tile's figure it shows what a partial row costs.
func BenchmarkGemmRunPartial(b *testing.B) {
	const k = 256
	for _, v := range Variants() {
		g := v.Gemm()
		for mr := 1; mr <= g.MR; mr++ {
			b.Run(fmt.Sprintf("level=%v/mr=%d", v, mr), func(b *testing.B) {
				a, bp, c := filled(k*g.MR, 0.01), filled(k*g.NR, 0.01), make([]float32, g.MR*g.NR)
				scratch := make([]float32, g.MR*g.NR)
				for b.Loop() {
					g.RunPartial(k, a, bp, c, g.NR, 1, mr, g.NR, scratch)
				}
				b.ReportMetric(2*float64(k*mr*g.NR)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkGemmPack compares each variant's packing of one micro-panel (kc = 192
// steps, as the SGEMM driver packs them, from a 1024-wide matrix) with the Go
// reference for the same MR or NR (level=go): a generated packer is kept only where
// it is at least as fast.
func BenchmarkGemmPack(b *testing.B) {
	const k, ld = 192, 1024
	src := filled(k*ld, 0.01)
	for _, v := range Variants() {
		g := v.Gemm()
		if v.Level() == Generic {
			continue
		}
		dst := make([]float32, k*g.NR)
		for _, pack := range []struct {
			name     string
			rows     int
			asm, ref func()
		}{
			{"PackA", g.MR, func() { g.PackA(k, src, ld, 1.5, dst) }, func() { transposeReference(g.MR, k, src, ld, 1.5, dst) }},
			{"PackBT", g.NR, func() { g.PackBT(k, src, ld, dst) }, func() { transposeReference(g.NR, k, src, ld, 1, dst) }},
			{"PackB", g.NR, func() { g.PackB(k, src, ld, dst) }, func() { packBGeneric(g.NR, k, src, ld, dst) }},
		} {
			for _, impl := range []struct {
				level string
				f     func()
			}{{v.String(), pack.asm}, {"go", pack.ref}} {
				b.Run(fmt.Sprintf("%s/rows=%d/variant=%v/level=%s", pack.name, pack.rows, v, impl.level), func(b *testing.B) {
					for b.Loop() {
						impl.f()
					}
					b.ReportMetric(float64(4*k*pack.rows)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
			}
		}
	}
}

// BenchmarkGemmPackATPanels packs the sixteen panels of a 96-row block of a
// transposed A whose rows are 1024 floats apart (a convolution's weight),
// in one PackATPanels call and panel by panel with PackAT.
func BenchmarkGemmPackATPanels(b *testing.B) {
	const k, ld, panels = 192, 1024, 16
	src := filled(k*ld, 0.01)
	for _, v := range Variants() {
		g := v.Gemm()
		dst := make([]float32, panels*k*g.MR)
		for _, impl := range []struct {
			name string
			f    func()
		}{
			{"PackATPanels", func() { g.PackATPanels(k, panels, src, ld, 1, dst) }},
			{"PackAT", func() {
				for q := 0; q < panels; q++ {
					g.PackAT(k, src[q*g.MR:], ld, 1, dst[q*k*g.MR:])
				}
			}},
		} {
			b.Run(fmt.Sprintf("%s/level=%v", impl.name, v), func(b *testing.B) {
				for b.Loop() {
					impl.f()
				}
				b.ReportMetric(float64(4*k*panels*g.MR)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// transposeReference is the reference of PackA and PackBT (the definition the
// packing kernels are tested against):
// dst[p*rows+i] = alpha*a[i*lda+p] for p < k, i < rows.
func transposeReference(rows, k int, a []float32, lda int, alpha float32, dst []float32) {
	for p := 0; p < k; p++ {
		out := dst[p*rows : p*rows+rows]
		for i := range out {
			out[i] = alpha * a[i*lda+p]
		}
	}
}
