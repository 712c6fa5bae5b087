using FsCheck;
using FsCheck.Fluent;
using MixQ.Quantization.NumberSystems;

namespace MixQ.Quantization.Tests;

/// <summary>FsCheck 3 without FsCheck.Xunit: run a property over a generator, throw on the first counterexample.</summary>
internal static class PropertyCheck
{
    public static void Run<T>(Gen<T> gen, Func<T, bool> property, int maxTest = 300) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest), Prop.ForAll(gen.ToArbitrary(), property));

    /// <summary>Every format: 3 schemes x bits 2..8.</summary>
    public static NumberFormat[] AllFormats { get; } =
        (from scheme in Enum.GetValues<QuantScheme>()
         from bits in Enumerable.Range(NumberFormat.MinBits, NumberFormat.MaxBits - NumberFormat.MinBits + 1)
         select new NumberFormat(scheme, bits)).ToArray();

    public static Gen<NumberFormat> Formats { get; } = Gen.Elements(AllFormats);

    /// <summary>
    /// Inputs for a format's projection: uniform values over and beyond [-max, max], tiny values, and the
    /// hard cases — levels, exact midpoints (ties) and their float neighbours.
    /// </summary>
    public static Gen<float> InputsFor(NumberFormat format)
    {
        var set = format.Levels;
        var special = new List<float>();
        var mags = set.Magnitudes.ToArray();
        for (int i = 0; i < mags.Length; i++)
        {
            special.Add(mags[i]);
            if (i + 1 < mags.Length)
            {
                float mid = format.Scheme == QuantScheme.Fixed
                    ? (float)((2.0 * i + 1) / (2.0 * (mags.Length - 1)))
                    : (mags[i] + mags[i + 1]) / 2;
                special.Add(mid);
                special.Add(MathF.BitIncrement(mid));
                special.Add(MathF.BitDecrement(mid));
            }
        }
        var specials = Gen.Elements(special.SelectMany(v => new[] { v, -v }).ToArray());
        var uniform = Gen.Choose(-1_600_000, 1_600_000).Select(i => i / 1_000_000f);
        var tiny = Gen.Choose(-1000, 1000).Select(i => i * 1e-6f);
        return Gen.Frequency((3, uniform), (3, specials), (1, tiny));
    }

    /// <summary>A format together with one input for it.</summary>
    public static Gen<(NumberFormat Format, float X)> FormatAndInput { get; } =
        Formats.SelectMany(f => InputsFor(f).Select(x => (f, x)));
}
