namespace MixQ.Quantization.Assignment;

/// <summary>
/// The "error" rule (methods.md §2, the robust choice): each row's cost under a format is its squared
/// quantization error with that format's MSE-optimal scale (<see cref="FormatErrors"/>), and rows are given
/// formats so that the layer's total error is minimal subject to the mix's exact row counts
/// (<see cref="TransportationSolver"/>). In a multi-precision mix a wider format always has the smaller error,
/// so this rule hands the wide share to the rows whose error it cuts the most, i.e. the rows that quantize
/// worst at low precision, with no notion of how much the loss cares (that is the Hessian rule's job).
/// </summary>
public static class ErrorAssignment
{
    /// <summary>Each row's format index; <paramref name="errors"/> is row-major [rows, formats].</summary>
    public static int[] Assign(ReadOnlySpan<double> errors, int rows, IReadOnlyList<int> counts) =>
        TransportationSolver.Solve(errors, rows, counts);
}
