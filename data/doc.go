// Package data will hold the datasets: the synthetic generators of the papers and
// readers for IDX (MNIST-style) files and image folders.
package data
