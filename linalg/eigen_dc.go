package linalg

import (
	"math"

	"github.com/rankae/rankae/kernels"
)

// Divide and conquer for the symmetric tridiagonal eigenproblem (Cuppen; LAPACK
// dstedc, dlaed0–dlaed4, with Gu and Eisenstat's eigenvectors): the matrix is
// torn in two by a rank-one correction, each half solved (recursively, by the
// QL iteration from dcLeaf rows down), and the halves merged by the roots of the
// secular equation 1 + ρ·Σ z_j²/(d_j − λ) = 0, which are independent of each
// other, and one matrix product for the eigenvectors. It replaces the QL
// iteration's chain of a square root and a division per row and rotation, which
// bounds that iteration by latency, with work that runs at throughput.

// dcLeaf is the order up to which a subproblem goes to the QL iteration (and
// symEigen uses the QL iteration alone). Divide and conquer measured ahead from
// n = 64 on: at n = 128 the whole SVD 1.05 ms against 1.14, at n = 512 65 ms
// against 114 (bench/README.md).
const dcLeaf = 32

// dcWork is the reusable workspace of tridiagonalDC.
type dcWork struct {
	z, ds, zs, dn, zn, lam, delta, w []float64
	cols, tmp                        []float64
	idx, nd, defl, order             []int
	leaf                             [2]struct{ d, e, z, cs, ss []float64 }
}

// tridiagonalDC diagonalises the symmetric tridiagonal matrix (d, e) of order n
// (e[i] couples i and i+1): on return d holds the eigenvalues in ascending
// order and column j of q (q[j*ldq : j*ldq+n], ldq ≥ n) the eigenvector of d[j].
// It reports false if a QL leaf did not converge.
func tridiagonalDC(v *kernels.Variant, d, e []float64, n int, q []float64, ldq int, w *dcWork) bool {
	if n <= dcLeaf {
		return w.leaves(v, d, e, n, n, q, ldq)
	}
	// Tear: T = blockdiag(T₁ − |β|·e_k eₖᵀ, T₂ − |β|·e₁e₁ᵀ) + |β|·u·uᵀ with
	// u = (e_k; sign(β)·e₁), β the coupling of rows k−1 and k.
	k := n / 2
	beta := e[k-1]
	rho := math.Abs(beta)
	d[k-1] -= rho
	d[k] -= rho
	// q = blockdiag(Q₁, Q₂): the halves write their diagonal blocks whole,
	// the rest is zero.
	for j := 0; j < k; j++ {
		clear(q[j*ldq+k : j*ldq+n])
	}
	for j := k; j < n; j++ {
		clear(q[j*ldq : j*ldq+k])
	}
	if n-k <= dcLeaf {
		if !w.leaves(v, d, e, k, n, q, ldq) {
			return false
		}
	} else if !tridiagonalDC(v, d[:k], e[:k], k, q, ldq, w) ||
		!tridiagonalDC(v, d[k:], e[k:], n-k, q[k*ldq+k:], ldq, w) {
		return false
	}
	// z = (last row of Q₁; sign(β)·first row of Q₂).
	z := growS(w.z, n)
	w.z = z
	sgn := math.Copysign(1, beta)
	for j := 0; j < k; j++ {
		z[j] = q[j*ldq+k-1]
	}
	for j := k; j < n; j++ {
		z[j] = sgn * q[j*ldq+k]
	}
	w.merge(v, d, z, rho, n, k, q, ldq)
	return true
}

// leaves solves the subproblems d[:k] and, if k < n, d[k:] (each of order at
// most dcLeaf; the coupling e[k−1] between them belongs to the tear) by the QL
// iteration on contiguous copies, the two interleaved (qlRun), and writes each
// one's eigenvalues ascending into its part of d and its eigenvectors into its
// diagonal block of q.
func (w *dcWork) leaves(v *kernels.Variant, d, e []float64, k, n int, q []float64, ldq int) bool {
	var ql [2]qlProblem
	bounds := [3]int{0, k, n}
	count := 1
	if k < n {
		count = 2
	}
	for h := 0; h < count; h++ {
		lo, nh := bounds[h], bounds[h+1]-bounds[h]
		b := &w.leaf[h]
		b.d, b.e, b.z = growS(b.d, nh), growS(b.e, nh), growS(b.z, nh*nh)
		b.cs, b.ss = growS(b.cs, nh), growS(b.ss, nh)
		copy(b.d, d[lo:lo+nh])
		copy(b.e, e[lo:lo+nh-1])
		b.e[nh-1] = 0
		clear(b.z)
		for j := 0; j < nh; j++ {
			b.z[j*nh+j] = 1
		}
		ql[h] = newQLProblem(b.d, b.e, nh, b.z, b.cs, b.ss)
	}
	second := &ql[1]
	if count == 1 {
		second = nil
	}
	if !qlRun(v, &ql[0], second) {
		return false
	}
	for h := 0; h < count; h++ {
		lo, nh := bounds[h], bounds[h+1]-bounds[h]
		b := &w.leaf[h]
		order := growS(w.order, nh)
		w.order = order
		sortAscending(order, b.d)
		for c, j := range order {
			d[lo+c] = b.d[j]
			copy(q[(lo+c)*ldq+lo:(lo+c)*ldq+lo+nh], b.z[j*nh:(j+1)*nh])
		}
	}
	return true
}

// merge diagonalises D + ρ·z·zᵀ (D = d, whose halves d[:k] and d[k:] are
// each ascending) and multiplies the eigenvectors into the columns of q (n×n, ldq): on return
// d holds the eigenvalues ascending and q the eigenvectors of the whole.
func (w *dcWork) merge(v *kernels.Variant, d, z []float64, rho float64, n, k int, q []float64, ldq int) {
	const eps = 0x1p-53
	col := func(j int) []float64 { return q[j*ldq : j*ldq+n] }
	// ‖z‖ = 1 and ρ scaled to match.
	var zz float64
	for _, x := range z[:n] {
		zz += x * x
	}
	rho *= zz
	inv := 1 / math.Sqrt(zz)
	for j := range z[:n] {
		z[j] *= inv
	}
	// Ascending order, then deflation (dlaed2): a component ρ·|z_j| below tol
	// leaves (d_j, q_j) an eigenpair; two close d's are rotated so that one of
	// their z's vanishes.
	idx := growS(w.idx, n)
	w.idx = idx
	mergeAscending(idx, d[:n], k)
	ds, zs := growS(w.ds, n), growS(w.zs, n)
	w.ds, w.zs = ds, zs
	var dmax, zmax float64
	for p, j := range idx {
		ds[p], zs[p] = d[j], z[j]
		dmax, zmax = math.Max(dmax, math.Abs(ds[p])), math.Max(zmax, math.Abs(zs[p]))
	}
	tol := 8 * eps * math.Max(dmax, rho*zmax)
	nd, defl := w.nd[:0], w.defl[:0]
	prev := -1
	for p := 0; p < n; p++ {
		if rho*math.Abs(zs[p]) <= tol {
			defl = append(defl, p)
			continue
		}
		if prev >= 0 {
			s, c := zs[prev], zs[p]
			tau := math.Hypot(c, s)
			c, s = c/tau, -s/tau
			if t := ds[p] - ds[prev]; math.Abs(t*c*s) <= tol {
				zs[p], zs[prev] = tau, 0
				v.JacobiRotate64(col(idx[prev]), col(idx[p]), c, -s)
				dp := ds[prev]*c*c + ds[p]*s*s
				ds[p] = ds[prev]*s*s + ds[p]*c*c
				ds[prev] = dp
				defl = append(defl, prev)
				prev = p
				continue
			}
			nd = append(nd, prev)
		}
		prev = p
	}
	if prev >= 0 {
		nd = append(nd, prev)
	}
	w.nd, w.defl = nd, defl
	kk := len(nd)
	// The secular equation's roots and, for each, D_j − λ_i (delta[i*kk+j]).
	dn, zn := growS(w.dn, kk), growS(w.zn, kk)
	lam, delta := growS(w.lam, n), growS(w.delta, kk*kk)
	w.dn, w.zn, w.lam, w.delta = dn, zn, lam, delta
	for i, p := range nd {
		dn[i], zn[i] = ds[p], zs[p]
	}
	for i := 0; i < kk; i++ {
		lam[i] = secularRoot(v, i, dn, zn, rho, delta[i*kk:(i+1)*kk])
	}
	// Gu–Eisenstat: the ẑ for which the computed roots are exact, then the
	// eigenvectors ẑ_j/(D_j − λ_i), orthogonal to working precision.
	// ẑ_j² ∝ −(D_j − λ_j)·Π_{i≠j} (D_j − λ_i)/(D_j − D_i), a row of delta
	// (one λ_i) at a time, so that the divisions run in vectors.
	wz := growS(w.w, kk)
	w.w = wz
	for j := range wz {
		wz[j] = delta[j*kk+j]
	}
	for i := 0; i < kk; i++ {
		row := delta[i*kk : (i+1)*kk]
		v.ScaleQuotients64(wz[:i], row[:i], dn[:i], dn[i])
		v.ScaleQuotients64(wz[i+1:], row[i+1:], dn[i+1:], dn[i])
	}
	for j, p := range wz {
		wz[j] = math.Copysign(math.Sqrt(math.Max(-p, 0)), zn[j]) // ẑ up to the factor √ρ, which normalising drops
	}
	// U (kk×kk, by columns) in delta's place.
	for i := 0; i < kk; i++ {
		u := delta[i*kk : (i+1)*kk]
		s := 1 / math.Sqrt(v.Quotients64(u, wz, u))
		for j := range u {
			u[j] *= s
		}
	}
	// The new columns: Q[:, nd]·U, then the deflated ones, by ascending
	// eigenvalue.
	cols, tmp := growS(w.cols, n*kk), growS(w.tmp, n*n)
	w.cols, w.tmp = cols, tmp
	for c, p := range nd {
		copy(cols[c*n:(c+1)*n], col(idx[p]))
	}
	out := tmp[:n*kk]
	clear(out)
	v.Gemm64(n, kk, kk, cols, n, delta, kk, out, n)
	for c, p := range defl {
		lam[kk+c] = ds[p]
		copy(tmp[(kk+c)*n:(kk+c+1)*n], col(idx[p]))
	}
	order := growS(w.order, n)
	w.order = order
	mergeAscending(order, lam[:n], kk)
	for p, j := range order {
		d[p] = lam[j]
		copy(col(p), tmp[j*n:(j+1)*n])
	}
}

// mergeAscending sets idx to 0…len(idx)−1 ordered by ascending keys, stably,
// for keys whose runs [0, k) and [k, len) are each ascending (a merge's two
// halves; its roots and its deflated values), by one linear merge as LAPACK's
// dlamrg, where a sort's comparisons through a closure cost a merge at n = 64
// as much as its secular equation. Keys out of order within a run (rotated
// deflated values may be, by their tolerance) are sorted instead.
func mergeAscending(idx []int, keys []float64, k int) {
	n := len(idx)
	for i := 1; i < n; i++ {
		if i != k && !(keys[i-1] <= keys[i]) {
			sortAscending(idx, keys)
			return
		}
	}
	i, j := 0, k
	for p := range idx {
		if j == n || i < k && keys[i] <= keys[j] {
			idx[p], i = i, i+1
		} else {
			idx[p], j = j, j+1
		}
	}
}

// secularRoot returns the i-th smallest root λ of f(λ) = 1 + ρ·Σ z_j²/(d_j − λ)
// for ascending d, ρ > 0 and ‖z‖ = 1, in (d_i, d_{i+1}) or, for the last,
// (d_i, d_i + ρ), and writes d_j − λ into delta, computed from the nearer pole
// so that the differences the eigenvectors divide by keep their accuracy.
func secularRoot(v *kernels.Variant, i int, d, z []float64, rho float64, delta []float64) float64 {
	const eps = 0x1p-53
	k := len(d)
	last := i == k-1
	// The origin: the pole the root is nearer to, from f's sign in the
	// middle, the first point evaluated; the root is base + τ, τ in (lo, hi).
	org, lo, hi := i, 0.0, rho
	tau := rho / 2
	var gap float64
	if !last {
		gap = d[i+1] - d[i]
		tau = gap / 2
	}
	base := d[org]
	for j := range d {
		delta[j] = d[j] - base
	}
	for iter := 0; iter < 60; iter++ {
		// f and its derivative, the poles up to i apart from those above.
		psi, dpsi := v.SecularTerms(delta[:i+1], z[:i+1], tau)
		phi, dphi := v.SecularTerms(delta[i+1:], z[i+1:], tau)
		f := 1 + rho*(psi+phi)
		if iter == 0 && !last {
			if f >= 0 {
				hi = tau
			} else { // nearer d[i+1]: the same point, measured from there
				org, base = i+1, d[i+1]
				for j := range d {
					delta[j] = d[j] - base
				}
				lo, hi, tau = -gap/2, 0, -gap/2
			}
		}
		if math.Abs(f) <= 16*eps*(1+rho*(math.Abs(psi)+math.Abs(phi))) || hi-lo <= 2*eps*math.Max(math.Abs(lo), math.Abs(hi)) {
			break
		}
		if f > 0 {
			hi = tau
		} else {
			lo = tau
		}
		// The middle way: f modelled by its two nearest poles, exact in
		// value and slope (dlaed4); for the last root, which has no pole
		// above it, by the nearest pole alone.
		var eta float64
		di := delta[i] - tau
		if last {
			c := f - di*rho*dpsi
			eta = di + di*di*rho*dpsi/c
		} else {
			di1 := delta[i+1] - tau
			dw := rho * (dpsi + dphi)
			a := (di+di1)*f - di*di1*dw
			b := di * di1 * f
			c := f - di*rho*dpsi - di1*rho*dphi
			disc := math.Sqrt(math.Abs(a*a - 4*b*c))
			if a <= 0 {
				eta = (a - disc) / (2 * c)
			} else {
				eta = 2 * b / (a + disc)
			}
			if f*eta >= 0 { // the model points the wrong way: Newton
				eta = -f / dw
			}
		}
		next := tau + eta
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		tau = next
	}
	for j := range delta {
		delta[j] -= tau
	}
	return base + tau
}
