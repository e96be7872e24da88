//go:build race

package layers

// coreRaceEnabled: the race detector allocates on synchronisation and makes
// sync.Pool drop items at random, so allocation counts mean nothing under it.
const coreRaceEnabled = true
