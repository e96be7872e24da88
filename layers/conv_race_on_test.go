//go:build race

package layers

// convRaceEnabled: the race detector makes sync.Pool (linalg's packing
// buffers) drop items at random, so allocation counts mean nothing under it.
const convRaceEnabled = true
