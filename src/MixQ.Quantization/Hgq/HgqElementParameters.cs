using System.Runtime.CompilerServices;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// Per-element view of the group formats an <see cref="HgqQuantizer"/> applies: scale 2^f, inverse 2^-f and the
/// code interval [Low, High] that passes overflow handling untouched, one entry per element, so the hot loops read
/// plain arrays instead of formats.
/// </summary>
internal sealed class HgqElementParameters
{
    public required float[] Scale { get; init; }
    public required float[] Inverse { get; init; }
    public required float[] Low { get; init; }
    public required float[] High { get; init; }
    public required FixedPointFormat[] Formats { get; init; }

    /// <summary>Consecutive elements sharing one format.</summary>
    public required int Span { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: see HgqQuantizer
    public static HgqElementParameters From(FixedPointFormat[] formats, int span, OverflowMode overflow)
    {
        int n = formats.Length * span;
        var p = new HgqElementParameters { Scale = new float[n], Inverse = new float[n], Low = new float[n], High = new float[n], Formats = formats, Span = span };
        for (int g = 0; g < formats.Length; g++)
        {
            float scale = Pow2.Float(formats[g].FractionalBits), inverse = Pow2.Float(-formats[g].FractionalBits);
            float low = formats[g].LowestCode(overflow), high = formats[g].MaxCode;
            int start = g * span;
            if (span == 1)
            {
                p.Scale[start] = scale; p.Inverse[start] = inverse; p.Low[start] = low; p.High[start] = high;
                continue;
            }
            p.Scale.AsSpan(start, span).Fill(scale);
            p.Inverse.AsSpan(start, span).Fill(inverse);
            p.Low.AsSpan(start, span).Fill(low);
            p.High.AsSpan(start, span).Fill(high);
        }
        return p;
    }
}
