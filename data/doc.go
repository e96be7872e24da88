// Package data holds the datasets of the two papers as float32 NCHW images:
// the synthetic generators, made in code (no download), and a reader for
// MNIST-format IDX files and folders of pictures.
//
//   - GaussianBumps: the 2D Gaussian bumps of rrae.txt §6.1 (64×64, σ = 0.2,
//     400 training centres on a 20×20 grid over [−0.5,0.5]², random test
//     centres), and FitBump / BumpFitError, the paper's score of a generated
//     bump.
//   - Shapes: the synthetic shapes of irmae.txt §4.1 (32×32 RGB, one circle
//     or square, intrinsic dimension 7).
//   - ReadIDX, ReadIDXImages, ReadIDXLabels, LoadMNIST: IDX files, raw or
//     gzip-compressed (MNIST, Fashion-MNIST; Debian installs the latter in
//     FashionMNISTDir).
//   - ReadImage, ReadImageFolder: PNG, JPEG and GIF files, centre-cropped and
//     resized as IRMAE's CelebA (148 → 64).
//
// Around them: Normalizer (one mean and standard deviation, fitted on the
// training set, applied to the test set and inverted on a model's output),
// Sampler (seeded shuffling and batches of indices) with Dataset.Gather
// (copying a batch into a caller's buffer), and Resize / PadTo (IRMAE's
// 32×32 MNIST).
//
// Every generator takes an explicit seed: the same seed gives the same data.
package data
