//go:build purego || !(amd64 || arm64)

package kernels

// archVariants returns no assembly variants: this build has only the generic one.
func archVariants() []*Variant { return nil }
