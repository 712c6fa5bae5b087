namespace MixQ.Quantization.NumberSystems;

/// <summary>
/// The exact level set Q of a <see cref="NumberFormat"/> and the nearest-level projection onto it.
///
/// <para>Rounding rule, the same for every scheme: the nearest level; an input exactly halfway between two
/// levels goes to the one with the larger magnitude (round half away from zero). This keeps the quantizer odd
/// (Q(-x) = -Q(x)) and monotone. Inputs beyond the largest level clip to it. The sign of zero follows the input
/// (a small negative input gives -0, which compares equal to 0).</para>
///
/// <para>Projection never scans the levels per weight: fixed point computes k = round(t * K) directly and exactly
/// (<see cref="UniformRounding"/>); PoT and SP2 compare against the midpoints between adjacent magnitudes
/// (<see cref="MidpointProjection"/>: binary search in scalar code, a branch-free masked walk over 16 lanes at
/// once in vector code). Their levels are dyadic rationals, so each midpoint is exact in float and every
/// comparison is exact. Both kernels are vectorised with Vector512/Vector256 and have scalar twins.</para>
/// </summary>
public sealed class LevelSet
{
    private static readonly LevelSet?[,] Cache = new LevelSet?[Enum.GetValues<QuantScheme>().Length, NumberFormat.MaxBits + 1];

    private readonly float[] _magnitudes;
    private readonly float[] _midpoints;
    private readonly float[] _gaps;
    private readonly double[] _exactMidpoints;
    private readonly float[] _values;
    private readonly LevelCode[] _codes;
    private readonly int _fixedMaxK;

    private LevelSet(NumberFormat format)
    {
        Format = format;
        var (mags, codes) = LevelEnumeration.NonNegative(format);
        int l = mags.Length;
        _magnitudes = mags.Select(m => (float)m).ToArray();
        _exactMidpoints = new double[l - 1];
        for (int i = 0; i < l - 1; i++) _exactMidpoints[i] = (mags[i] + mags[i + 1]) / 2;
        _midpoints = _exactMidpoints.Select(m => (float)m).ToArray();
        _gaps = new float[l - 1];
        for (int i = 0; i < l - 1; i++) _gaps[i] = (float)(mags[i + 1] - mags[i]);
        _values = new float[2 * l - 1];
        _codes = new LevelCode[2 * l - 1];
        for (int i = 0; i < l; i++)
        {
            _values[l - 1 + i] = _magnitudes[i];
            _codes[l - 1 + i] = codes[i];
            if (i == 0) continue;
            _values[l - 1 - i] = -_magnitudes[i];
            _codes[l - 1 - i] = LevelEnumeration.Negate(codes[i]);
        }
        _fixedMaxK = format.Scheme == QuantScheme.Fixed ? (1 << (format.Bits - 1)) - 1 : 0;
    }

    /// <summary>The level set of <paramref name="format"/>, built once and shared (instances are immutable).</summary>
    public static LevelSet For(NumberFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        ref var slot = ref Cache[(int)format.Scheme, format.Bits];
        var set = Volatile.Read(ref slot);
        if (set is null)
        {
            set = new LevelSet(format);
            Interlocked.CompareExchange(ref slot, set, null);
        }
        return Volatile.Read(ref slot)!;
    }

    public NumberFormat Format { get; }

    /// <summary>Number of distinct levels (2 * magnitudes - 1: zero is shared by both signs).</summary>
    public int Count => _values.Length;

    /// <summary>Distinct non-negative levels, ascending; the first is 0.</summary>
    public ReadOnlySpan<float> Magnitudes => _magnitudes;

    /// <summary>All levels, ascending from -max to +max.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Hardware code of each entry of <see cref="Values"/> (same index).</summary>
    public IReadOnlyList<LevelCode> Codes => _codes;

    /// <summary>max |Q|: 1 for every format except 2-bit SP2 (1/2).</summary>
    public float MaxMagnitude => _magnitudes[^1];

    /// <summary>Midpoints between adjacent magnitudes, exact (in double) — for the scale search's error model.</summary>
    internal ReadOnlySpan<double> ExactMidpoints => _exactMidpoints;

    /// <summary>Index into <see cref="Values"/> / <see cref="Codes"/> of the level nearest to <paramref name="t"/>.</summary>
    public int NearestIndex(float t)
    {
        int zero = _magnitudes.Length - 1;
        if (_fixedMaxK > 0)
        {
            float k = UniformRounding.CodeScalar(t, 1f, _fixedMaxK, -_fixedMaxK, _fixedMaxK);
            return zero + (int)k;
        }
        int i = MidpointProjection.MagnitudeIndex(_midpoints, MathF.Abs(t));
        return t < 0 ? zero - i : zero + i;
    }

    /// <summary>The level nearest to <paramref name="t"/> (unscaled).</summary>
    public float Nearest(float t)
    {
        Span<float> one = [t];
        Project(one, 1f, one);
        return one[0];
    }

    /// <summary>The code of the level nearest to <paramref name="t"/>.</summary>
    public LevelCode NearestCode(float t) => _codes[NearestIndex(t)];

    /// <summary>
    /// destination[i] = scale * Q(fl(source[i] * (1 / scale))): each value projected onto the levels of a row with
    /// scale alpha = <paramref name="scale"/>. source and destination may be the same span.
    /// </summary>
    public void Project(ReadOnlySpan<float> source, float scale, Span<float> destination)
    {
        if (!(scale > 0f) || !float.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be positive and finite");
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source");
        float invScale = 1f / scale;
        if (_fixedMaxK > 0)
        {
            UniformRounding.Apply(source, invScale, _fixedMaxK, -_fixedMaxK, _fixedMaxK, scale, destination);
            return;
        }
        MidpointProjection.Apply(source, invScale, _midpoints, _magnitudes, _gaps, scale, destination);
    }

    public override string ToString() => $"{Format} ({Count} levels)";
}
