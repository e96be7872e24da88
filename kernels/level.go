package kernels

import (
	"fmt"
	"strings"
)

// Level is an instruction-set level a kernel variant is written for.
type Level int

// The levels, lowest first. Generic is the pure-Go reference and runs anywhere.
const (
	Generic Level = iota
	AVX2          // amd64 with AVX2 and FMA3
	AVX512        // amd64 with AVX-512 F, DQ, BW, VL and BMI2
	NEON          // arm64 Advanced SIMD
)

var levelNames = [...]string{Generic: "generic", AVX2: "avx2", AVX512: "avx512", NEON: "neon"}

// String returns the level's name as RANKAE_KERNELS spells it.
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel returns the level named s (generic, avx2, avx512 or neon).
func ParseLevel(s string) (Level, error) {
	for l, name := range levelNames {
		if s == name {
			return Level(l), nil
		}
	}
	return 0, fmt.Errorf("unknown kernel level %q (want one of %s)", s, strings.Join(levelNames[:], ", "))
}
