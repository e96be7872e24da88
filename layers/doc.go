// Package layers is the lean layer set the autoencoders are built from: an
// NCHW float32 Tensor, layers with explicit Forward and Backward passes
// (Linear, Conv2D, ConvTranspose2D, activations, Flatten, Reshape,
// Sequential), losses, optimizers and safetensors checkpoints. The heavy work
// runs on linalg.Sgemm and the kernels package, spread over the cores within
// a layer (its products and passes split over linalg.Threads() goroutines) or
// over the batch (DataParallel: replicas of a network on parts of it;
// DataParallelConvs puts only a network's convolutions there). The
// convolutions keep the batch innermost inside (batch_inner.go) and run as
// im2col and GEMM a band of the matrix at a time, or, with one output channel
// at stride 1, as direct correlations (conv_direct.go).
//
// Start with Layer (layer.go): every layer caches what its backward pass needs
// and owns its output buffers, so that a training step allocates nothing once
// the shapes have been seen.
package layers
