// Package layers will hold the lean layer set the autoencoders are built from:
// tensors, Linear, Conv2D, ConvTranspose2D, activations, losses, Adam and
// checkpoints, with explicit forward and backward passes. It builds on linalg.
package layers
