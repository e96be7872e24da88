package linalg

import "fmt"

// NotConvergedError is the error of an SVD that reached its sweep cap. The
// decomposition then holds the partial result, whose quality Residual
// states: callers that only need A ≈ U·diag(S)·Vᵀ (a rank-k reconstruction,
// say) may accept it when Residual is small.
type NotConvergedError struct {
	Sweeps      int     // the cap that was reached
	OffDiagonal float64 // max |aₚᵀa_q|/(‖aₚ‖‖a_q‖) left after the last sweep
	Tol         float64 // the rotation threshold it had to get under
	Residual    float64 // ‖A − U·diag(S)·Vᵀ‖_F/‖A‖_F of the partial result
}

func (e *NotConvergedError) Error() string {
	return fmt.Sprintf("linalg: SVD: one-sided Jacobi did not converge in %d sweeps (sweep cap reached; off-diagonal max|aₚᵀa_q|/(‖aₚ‖‖a_q‖) = %.3g > tol %.3g); the partial result has ‖A − USVᵀ‖/‖A‖ = %.3g",
		e.Sweeps, e.OffDiagonal, e.Tol, e.Residual)
}
