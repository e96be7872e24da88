// Package ae will hold the autoencoders of the two papers (RRAE, aRRAE, IRMAE and
// their baselines), their training procedures and evaluations. It builds on layers
// and data.
package ae
