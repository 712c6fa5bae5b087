namespace MixQ.Quantization.Hgq;

/// <summary>How beta (the EBOPs weight in the loss) moves over a run.</summary>
public enum BetaScheduleKind
{
    Constant,
    /// <summary>Straight line from start to end.</summary>
    Linear,
    /// <summary>Geometric from start to end (straight in log beta): equal time per decade of the trade-off.</summary>
    LogRamp,
}
