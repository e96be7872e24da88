package main

import (
	"testing"

	"github.com/rankae/rankae/kernels"
)

// TestCheckKernels runs the start-up check of every variant against the reference.
func TestCheckKernels(t *testing.T) {
	vs := kernels.Variants()
	generic := vs[len(vs)-1]
	for _, v := range vs {
		if err := checkKernels(v, generic); err != nil {
			t.Errorf("%v: %v", v, err)
		}
	}
}
