// Package bench holds the cross-package benchmarks: a full training step
// (forward, loss, backward, Adam) of the two paper architectures that
// ../shared/bench/pytorch_train_step.py times in PyTorch, so that the two
// can be compared in one sitting. README.md holds the measured tables.
package bench
