package linalg_test

import (
	"fmt"

	"github.com/rankae/rankae/linalg"
)

// A weight packed once, multiplied by two blocks of columns.
func ExampleSgemmPacked() {
	w := []float32{ // 2×3
		1, 2, 3,
		4, 5, 6,
	}
	var packed linalg.PackedA
	packed.Pack(false, 2, 3, 1, w, 3)
	for _, x := range [][]float32{
		{1, 0, 0, 1, 0, 0}, // 3×2: the first two unit columns
		{0, 1, 0, 0, 1, 1}, // the third unit column, then the first plus the third
	} {
		y := make([]float32, 4)
		linalg.SgemmPacked(&packed, false, 2, x, 2, 0, y, 2)
		fmt.Println(y)
	}
	// Output:
	// [1 2 4 5]
	// [3 4 6 10]
}
