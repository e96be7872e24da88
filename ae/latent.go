package ae

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/rankae/rankae/layers"
	"github.com/rankae/rankae/linalg"
)

// A latent batch is a [B, L] tensor: row i is sample i's latent vector. The
// papers write the latent matrix as Y = zᵀ (L×B); the rank of a matrix and
// its best rank-k approximation do not change under transposition, so the
// steps below work on z directly, and Y's left singular vectors are z's
// right ones.

// Identity is the latent step of the plain autoencoders (Diabolo and Long):
// the latent passes through unchanged.
type Identity struct{}

func (Identity) Forward(z *layers.Tensor) *layers.Tensor   { return z }
func (Identity) Backward(dz *layers.Tensor) *layers.Tensor { return dz }
func (Identity) Params() []*layers.Param                   { return nil }
func (Identity) String() string                            { return "Identity()" }

// IRMAELatent is IRMAE's latent step (irmae.txt §3): l linear maps L→L
// without bias, PyTorch's default init, trained with the rest. All l of
// them are applied, each drawn independently.
type IRMAELatent struct {
	*layers.Sequential
}

// NewIRMAELatent returns l bias-free L×L linear layers drawn from rng.
func NewIRMAELatent(latentDim, l int, rng *rand.Rand) *IRMAELatent {
	if l < 1 {
		panic(fmt.Sprintf("ae: NewIRMAELatent: l = %d < 1", l))
	}
	seq := layers.NewSequential()
	for i := 0; i < l; i++ {
		seq.Layers = append(seq.Layers, layers.NewLinearNoBias(latentDim, latentDim, rng))
	}
	return &IRMAELatent{seq}
}

// Product returns W_l⋯W_1 (L×L, row-major), the single linear map the l
// layers compose to; folding it into the encoder leaves a plain AE.
func (m *IRMAELatent) Product() []float32 {
	first := m.Layers[0].(*layers.Linear)
	n := first.Out
	p := append([]float32(nil), first.Weight.Value.Data...)
	tmp := make([]float32, n*n)
	for _, l := range m.Layers[1:] {
		w := l.(*layers.Linear).Weight.Value.Data
		linalg.Sgemm(false, false, n, n, n, 1, w, n, p, n, 0, tmp, n)
		p, tmp = tmp, p
	}
	return p
}

// RRAELatent is the RRAE latent step (rrae.txt §4): in training, the batch
// latent is replaced by its best rank-K approximation, computed by a
// truncated SVD and differentiated with the stable SVD gradient; at
// inference (once a basis is set) it is projected onto the basis U_f:
// z ↦ z·U_f·U_fᵀ.
type RRAELatent struct {
	K int

	// Basis is U_f, L×K row-major; nil until SetBasis. When set, Forward
	// projects instead of taking an SVD.
	Basis []float32

	svd   linalg.SVD // of the last training batch; reused, so steps do not allocate
	fresh bool       // svd holds the last Forward's decomposition
	y     layers.Tensor
	dz    layers.Tensor
	work  []float32
	coef  []float32 // B×K coefficients z·U_f of the last projection
}

// svdFailure is the panic value of a latent SVD that failed on its data
// (Layer.Forward cannot return an error); Train recovers it as an error.
type svdFailure struct{ err error }

// acceptResidual is the largest ‖z − USVᵀ‖/‖z‖ of a sweep-capped SVD that
// the RRAE step still uses: float32 rounding of the latent itself.
const acceptResidual = 1e-5

// NewRRAELatent returns the step with bottleneck k.
func NewRRAELatent(k int) *RRAELatent {
	if k < 1 {
		panic(fmt.Sprintf("ae: NewRRAELatent: k = %d < 1", k))
	}
	return &RRAELatent{K: k}
}

func (r *RRAELatent) String() string { return fmt.Sprintf("RRAELatent(k=%d)", r.K) }

// Params: the step has no trainable parameters.
func (r *RRAELatent) Params() []*layers.Param { return nil }

// SVD returns the decomposition of the last training batch's latent (B×L),
// or nil. It is overwritten by the next Forward.
func (r *RRAELatent) SVD() *linalg.SVD {
	if !r.fresh {
		return nil
	}
	return &r.svd
}

func (r *RRAELatent) grow(n int) {
	if len(r.work) < n {
		r.work = make([]float32, n)
	}
}

// Forward returns the rank-K truncation of the batch latent z [B, L], or its
// projection onto the basis once one is set. It panics if K exceeds
// min(B, L); an SVD that fails (NaN or Inf in z) panics with the error,
// which the training loop turns into a stop.
func (r *RRAELatent) Forward(z *layers.Tensor) *layers.Tensor {
	b, l := checkLatent("RRAELatent", z)
	r.y.Resize(b, l)
	if r.Basis != nil {
		r.project(z)
		return &r.y
	}
	if r.K > min(b, l) {
		panic(fmt.Sprintf("ae: RRAELatent: k = %d exceeds min(batch %d, latent %d)", r.K, b, l))
	}
	r.fresh = false
	if err := r.svd.Factorize(b, l, z.Data, l); err != nil {
		// A rank-deficient latent can leave rounding residue that the
		// float32 iteration keeps rotating; a partial result that
		// reproduces z is all the truncation needs.
		var nc *linalg.NotConvergedError
		if !errors.As(err, &nc) || nc.Residual > acceptResidual {
			panic(svdFailure{err})
		}
	}
	r.fresh = true
	r.grow(max(linalg.SVDBackwardWorkLen(b, l), linalg.ReconstructWorkLen(b, r.K)))
	r.svd.ReconstructWork(r.K, r.y.Data, l, r.work)
	return &r.y
}

// Backward is the stable-SVD gradient of the truncation (or the projection's
// gradient dz = dy·U_f·U_fᵀ once a basis is set).
func (r *RRAELatent) Backward(dy *layers.Tensor) *layers.Tensor {
	b, l := checkLatent("RRAELatent.Backward", dy)
	r.dz.Resize(b, l)
	if r.Basis != nil {
		r.projectInto(r.dz.Data, dy.Data, b, l)
		return &r.dz
	}
	if !r.fresh || r.svd.M != b || r.svd.N != l {
		panic("ae: RRAELatent.Backward without a matching Forward")
	}
	r.svd.ReconstructBackwardWork(r.K, dy.Data, l, r.dz.Data, l, r.work)
	return &r.dz
}

// BatchBasis returns the first K left singular vectors of the last training
// batch's Y = zᵀ (L×K row-major): z's right singular vectors.
func (r *RRAELatent) BatchBasis() []float32 {
	s := &r.svd
	out := make([]float32, s.N*r.K)
	for i := 0; i < s.N; i++ {
		copy(out[i*r.K:(i+1)*r.K], s.V[i*s.R:i*s.R+r.K])
	}
	return out
}

func (r *RRAELatent) project(z *layers.Tensor) {
	b, l := z.Dim(0), z.Dim(1)
	r.projectInto(r.y.Data, z.Data, b, l)
}

// projectInto writes dst = src·U_f·U_fᵀ for B×L matrices.
func (r *RRAELatent) projectInto(dst, src []float32, b, l int) {
	if len(r.Basis) != l*r.K {
		panic(fmt.Sprintf("ae: RRAELatent: basis has %d values, want %d×%d", len(r.Basis), l, r.K))
	}
	if cap(r.coef) < b*r.K {
		r.coef = make([]float32, b*r.K)
	}
	c := r.coef[:b*r.K]
	linalg.Sgemm(false, false, b, r.K, l, 1, src, l, r.Basis, r.K, 0, c, r.K)
	linalg.Sgemm(false, true, b, l, r.K, 1, c, r.K, r.Basis, r.K, 0, dst, l)
}

// Coefficients returns z·U_f (B×K), the compressed representation of a
// latent batch; it needs a basis.
func (r *RRAELatent) Coefficients(z *layers.Tensor) []float32 {
	b, l := checkLatent("RRAELatent.Coefficients", z)
	if r.Basis == nil {
		panic("ae: RRAELatent.Coefficients before a basis is set")
	}
	out := make([]float32, b*r.K)
	linalg.Sgemm(false, false, b, r.K, l, 1, z.Data, l, r.Basis, r.K, 0, out, r.K)
	return out
}

func checkLatent(name string, z *layers.Tensor) (b, l int) {
	if len(z.Shape) != 2 {
		panic(fmt.Sprintf("ae: %s: latent shape %v, want [batch, L]", name, z.Shape))
	}
	return z.Shape[0], z.Shape[1]
}
