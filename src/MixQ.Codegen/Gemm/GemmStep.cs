using MixQ.Codegen.Verilog;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Gemm;

internal enum GemmStepKind { Dense, Conv, Pool }

/// <summary>One step of a <see cref="GemmPlan"/>: a matrix layer (rows split over the two cores) or a max pooling.</summary>
internal sealed class GemmStep
{
    public required GemmStepKind Kind { get; init; }
    public required IReadOnlyList<string> Layers { get; init; }
    public IntegerWeights? Weights { get; init; }
    public long[] Bias { get; init; } = [];
    public Requant[] Rules { get; init; } = [];
    public int[] LutRows { get; init; } = [];
    public int[] DspRows { get; init; } = [];
    public required int Passes { get; init; }
    /// <summary>Products per output (row length), or window size for pooling.</summary>
    public required int Len { get; init; }
    public required int[] InShape { get; init; }
    public required int[] OutShape { get; init; }
    public required int InBank { get; init; }
    public bool Last { get; init; }
    public int Kernel { get; init; } = 1;
    public int Stride { get; init; } = 1;
    public int Padding { get; init; }

    /// <summary>Output positions: pixels of a convolution or pooling (per channel), 1 for Dense.</summary>
    public int Positions => OutShape.Length == 3 ? OutShape[1] * OutShape[2] : 1;

    public int Rows => Weights?.Rows ?? OutShape[0];

    public int InC => InShape.Length == 3 ? InShape[0] : InShape[0];
    public int InH => InShape.Length == 3 ? InShape[1] : 1;
    public int InW => InShape.Length == 3 ? InShape[2] : 1;
    public int OutW => OutShape.Length == 3 ? OutShape[2] : 1;
}
