package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Unrolling: reductions keep one accumulator per unrolled vector, and eight hide
// the FMA latency (4 cycles, 2 per cycle) on both ISAs; the element-wise kernels
// are bound by loads and stores and need only enough to keep the ports busy.
const (
	reduceUnroll = 8
	mapUnroll    = 4
)

// cmpLTOQ is the VCMPPS predicate "less than, ordered, quiet": false on NaN. The
// kernels test 0 < x rather than x > 0 because only the second operand may be memory.
const cmpLTOQ = 0x11

func vectorKernels() {
	constants()
	tanhConstants()
	for _, a := range isas {
		dot(a)
		axpy(a)
		scal(a)
		add(a)
		mul(a)
		sum(a)
		sumSq(a)
		relu(a)
		reluBackward(a)
		adam(a)
		tanhKernel(a)
	}
}

// base loads the data pointer of slice parameter name.
func base(name string) GPVirtual {
	return Load(Param(name).Base(), GP64()).(GPVirtual)
}

func length(name string) GPVirtual {
	return Load(Param(name).Len(), GP64()).(GPVirtual)
}

// reduce emits a kernel returning Σ term(x[i], ...) where accumulate adds the terms
// of vector j of a step into acc.
func reduce(a *isa, fn string, n GPVirtual, accumulate func(s step, j int, acc VecVirtual)) {
	acc := a.zeros(reduceUnroll)
	a.stream(fn, n, reduceUnroll, func(s step) {
		for j := 0; j < s.count; j++ {
			accumulate(s, j, acc[j])
		}
	})
	Store(a.horizontalSum(acc), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

func dot(a *isa) {
	fn := a.kernel("Dot", "func(x, y []float32) float32", "for i := range x { s += x[i] * y[i] }", "return s")
	x, y, n := base("x"), base("y"), length("x")
	reduce(a, fn, n, func(s step, j int, acc VecVirtual) {
		VFMADD231PS(s.src(y, j), s.load(x, j), acc)
	})
}

func sum(a *isa) {
	fn := a.kernel("Sum", "func(x []float32) float32", "for i := range x { s += x[i] }", "return s")
	x, n := base("x"), length("x")
	reduce(a, fn, n, func(s step, j int, acc VecVirtual) {
		VADDPS(s.src(x, j), acc, acc)
	})
}

func sumSq(a *isa) {
	fn := a.kernel("SumSq", "func(x []float32) float32", "for i := range x { s += x[i] * x[i] }", "return s")
	x, n := base("x"), length("x")
	reduce(a, fn, n, func(s step, j int, acc VecVirtual) {
		v := s.load(x, j)
		VFMADD231PS(v, v, acc)
	})
}

func axpy(a *isa) {
	fn := a.kernel("Axpy", "func(alpha float32, x, y []float32)", "for i := range x { y[i] += alpha * x[i] }")
	x, y, n := base("x"), base("y"), length("x")
	alpha := a.broadcast("alpha")
	a.stream(fn, n, mapUnroll, func(s step) {
		for j := 0; j < s.count; j++ {
			v := s.load(y, j)
			VFMADD231PS(s.src(x, j), alpha, v)
			s.store(v, y, j)
		}
	})
	VZEROUPPER()
	RET()
}

func scal(a *isa) {
	fn := a.kernel("Scal", "func(alpha float32, x []float32)", "for i := range x { x[i] *= alpha }")
	x, n := base("x"), length("x")
	alpha := a.broadcast("alpha")
	a.stream(fn, n, mapUnroll, func(s step) {
		for j := 0; j < s.count; j++ {
			v := a.vec()
			VMULPS(s.src(x, j), alpha, v)
			s.store(v, x, j)
		}
	})
	VZEROUPPER()
	RET()
}

// binary emits dst[i] = op(x[i], y[i]) for i < len(dst).
func binary(a *isa, name, doc string, op func(y Op, x, dst VecVirtual)) {
	fn := a.kernel(name, "func(dst, x, y []float32)", "for i := range dst { "+doc+" }")
	dst, x, y, n := base("dst"), base("x"), base("y"), length("dst")
	a.stream(fn, n, mapUnroll, func(s step) {
		for j := 0; j < s.count; j++ {
			v := s.load(x, j)
			op(s.src(y, j), v, v)
			s.store(v, dst, j)
		}
	})
	VZEROUPPER()
	RET()
}

func add(a *isa) {
	binary(a, "Add", "dst[i] = x[i] + y[i]", func(y Op, x, dst VecVirtual) { VADDPS(y, x, dst) })
}

func mul(a *isa) {
	binary(a, "Mul", "dst[i] = x[i] * y[i]", func(y Op, x, dst VecVirtual) { VMULPS(y, x, dst) })
}

func relu(a *isa) {
	fn := a.kernel("ReLU", "func(dst, x []float32)",
		"for i := range dst { dst[i] = x[i]; if x[i] < 0 { dst[i] = 0 } }",
		"",
		"VMAXPS(0, x) returns x when x is NaN, as the loop does.")
	dst, x, n := base("dst"), base("x"), length("dst")
	zero := a.zeros(1)[0]
	a.stream(fn, n, mapUnroll, func(s step) {
		for j := 0; j < s.count; j++ {
			v := a.vec()
			VMAXPS(s.src(x, j), zero, v)
			s.store(v, dst, j)
		}
	})
	VZEROUPPER()
	RET()
}

func reluBackward(a *isa) {
	fn := a.kernel("ReLUBackward", "func(dx, dy, x []float32)",
		"for i := range dx { dx[i] = 0; if x[i] > 0 { dx[i] = dy[i] } }")
	dx, dy, x, n := base("dx"), base("dy"), base("x"), length("dx")
	zero := a.zeros(1)[0]
	a.stream(fn, n, mapUnroll, func(s step) {
		for j := 0; j < s.count; j++ {
			v := a.vec()
			if a == avx512 {
				positive := K()
				VCMPPS(U8(cmpLTOQ), s.src(x, j), zero, positive)
				VMOVUPS_Z(s.src(dy, j), positive, v)
			} else {
				positive := a.vec()
				VCMPPS(U8(cmpLTOQ), s.src(x, j), zero, positive)
				VANDPS(s.src(dy, j), positive, v)
			}
			s.store(v, dx, j)
		}
	})
	VZEROUPPER()
	RET()
}

func adam(a *isa) {
	fn := a.kernel("Adam", "func(param, grad, m, v []float32, beta1, c1, beta2, c2, stepSize, invSqrtBias2, eps, belief, epsRoot float32)",
		"for i := range param {",
		"\td := grad[i] - belief*m[i] // belief: 0 for Adam, 1 for AdaBelief",
		"\tm[i] = beta1*m[i] + c1*grad[i] // c1 = 1-beta1, rounded from float64",
		"\tv[i] = beta2*v[i] + c2*d*d + epsRoot // c2 = 1-beta2, rounded from float64",
		"\tparam[i] -= stepSize * m[i] / (sqrt(v[i])*invSqrtBias2 + eps)",
		"}")
	param, grad, m, v, n := base("param"), base("grad"), base("m"), base("v"), length("param")
	beta1, beta2 := a.broadcast("beta1"), a.broadcast("beta2")
	stepSize, invSqrtBias2, eps := a.broadcast("stepSize"), a.broadcast("invSqrtBias2"), a.broadcast("eps")
	c1, c2 := a.broadcast("c1"), a.broadcast("c2")
	belief, epsRoot := a.broadcast("belief"), a.broadcast("epsRoot")
	// Two vectors at a time fit AVX2's sixteen registers beside the nine
	// constants (each vector's temporaries die before the next one's start);
	// the kernel streams seven arrays and is bound by memory, not by unrolling.
	a.stream(fn, n, 2, func(s step) {
		for j := 0; j < s.count; j++ {
			g := s.load(grad, j)
			mOld := s.load(m, j)
			d := a.vec()
			VMOVAPS(g, d)
			VFNMADD231PS(mOld, belief, d) // exact for Adam: g - 0*m
			mNew := a.vec()
			VMULPS(g, c1, mNew)
			VFMADD231PS(mOld, beta1, mNew)
			s.store(mNew, m, j)

			vNew := a.vec()
			VMULPS(d, c2, vNew)
			VMULPS(d, vNew, vNew)
			VFMADD231PS(s.src(v, j), beta2, vNew)
			VADDPS(epsRoot, vNew, vNew)
			s.store(vNew, v, j)

			denom := a.vec()
			VSQRTPS(vNew, denom)
			VFMADD213PS(eps, invSqrtBias2, denom)
			update := a.vec()
			VMULPS(mNew, stepSize, update)
			VDIVPS(denom, update, update)
			p := s.load(param, j)
			VSUBPS(update, p, p)
			s.store(p, param, j)
		}
	})
	VZEROUPPER()
	RET()
}
