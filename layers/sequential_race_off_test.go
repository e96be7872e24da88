//go:build !race

package layers

// coreRaceEnabled: see sequential_race_on_test.go.
const coreRaceEnabled = false
