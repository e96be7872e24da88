package data

import "math/rand/v2"

// Sampler walks the indices 0..n−1 in seeded random order, in batches. The
// same seed gives the same sequence of batches. Index slices it returns
// alias its permutation: they stay valid until the next call that
// reshuffles (Shuffle, or Next at the end of an epoch).
//
// A training loop either runs whole epochs,
//
//	for _, idx := range s.Batches(64) { x := ds.Gather(buf, idx); ... }
//	s.Shuffle()
//
// or counts steps (the papers count forward passes), taking one batch per
// step with Next, which reshuffles by itself when an epoch runs out.
type Sampler struct {
	perm  []int
	pos   int
	epoch int
	rng   *rand.Rand
}

// NewSampler returns a sampler over n indices whose first permutation is
// already shuffled from seed.
func NewSampler(n int, seed uint64) *Sampler {
	s := &Sampler{perm: make([]int, n), rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
	for i := range s.perm {
		s.perm[i] = i
	}
	s.shuffle()
	return s
}

func (s *Sampler) shuffle() {
	s.rng.Shuffle(len(s.perm), func(i, j int) { s.perm[i], s.perm[j] = s.perm[j], s.perm[i] })
	s.pos = 0
}

// Shuffle draws a new permutation and starts a new epoch.
func (s *Sampler) Shuffle() {
	s.shuffle()
	s.epoch++
}

// Epoch returns how many times the sampler has reshuffled since it was made.
func (s *Sampler) Epoch() int { return s.epoch }

// Perm returns the current permutation (aliasing the sampler's).
func (s *Sampler) Perm() []int { return s.perm }

// Batches splits the current permutation into consecutive batches of size
// (the last one shorter when size does not divide n). The batches alias the
// permutation; only the outer slice is allocated. It panics if size < 1.
func (s *Sampler) Batches(size int) [][]int {
	if size < 1 {
		panic("data: Sampler.Batches: batch size < 1")
	}
	out := make([][]int, 0, (len(s.perm)+size-1)/size)
	for i := 0; i < len(s.perm); i += size {
		out = append(out, s.perm[i:min(i+size, len(s.perm)):min(i+size, len(s.perm))])
	}
	return out
}

// Next returns the next size indices of the current permutation. When fewer
// than size remain it reshuffles first (the remainder of the epoch is
// dropped, as PyTorch's drop_last), so every batch is full; a size larger
// than n is clamped to n. It allocates nothing. It panics if size < 1.
func (s *Sampler) Next(size int) []int {
	if size < 1 {
		panic("data: Sampler.Next: batch size < 1")
	}
	size = min(size, len(s.perm))
	if s.pos+size > len(s.perm) {
		s.Shuffle()
	}
	b := s.perm[s.pos : s.pos+size : s.pos+size]
	s.pos += size
	return b
}
