//go:build !race

package layers

const convRaceEnabled = false
