using MixQ.Quantization.Hgq;
using MixQ.Tensors;

namespace MixQ.Quantization.Tests.Hgq;

/// <summary>The HGQ quantizer module: forward against the scalar reference, surrogate gradients, ranges, bits.</summary>
public sealed class HgqQuantizerTests
{
    private static HgqQuantizerConfig Config(HgqGranularity g, RoundingMode r = RoundingMode.RoundHalfUp, OverflowMode o = OverflowMode.Saturate) =>
        new() { Granularity = g, InitialFractionalBits = 3, MinFractionalBits = -8, MaxFractionalBits = 10, Rounding = r, Overflow = o };

    /// <summary>Random real-valued f per group, so rounding of f itself is exercised.</summary>
    private static void RandomiseF(HgqQuantizer q, Random rng)
    {
        var f = q.FractionalBits.Span;
        for (int i = 0; i < f.Length; i++) f[i] = (float)(rng.NextDouble() * 8 - 1.5);
    }

    private static int RoundedF(float f, HgqQuantizerConfig c) => (int)Math.Clamp(Math.Floor((double)f + 0.5), c.MinFractionalBits, c.MaxFractionalBits);

    [Theory]
    [InlineData(HgqGranularity.Element, RoundingMode.RoundHalfUp, OverflowMode.Wrap)]
    [InlineData(HgqGranularity.Element, RoundingMode.Truncate, OverflowMode.Saturate)]
    [InlineData(HgqGranularity.Element, RoundingMode.RoundHalfEven, OverflowMode.SymmetricSaturate)]
    [InlineData(HgqGranularity.Row, RoundingMode.RoundHalfEven, OverflowMode.SymmetricSaturate)]
    [InlineData(HgqGranularity.Layer, RoundingMode.RoundHalfUp, OverflowMode.Saturate)]
    public void WeightForwardEqualsTheScalarReferenceWithRangesFromTheWeight(HgqGranularity granularity, RoundingMode r, OverflowMode o)
    {
        var rng = new Random(3);
        var config = Config(granularity, r, o);
        var w = Tensor.RandN(rng, 0.7f, 5, 7);
        var q = new HgqQuantizer(HgqRole.Weight, [5, 7], config);
        RandomiseF(q, rng);
        var y = q.Forward(w).ToArray();
        var ws = w.ToArray();
        var fs = q.FractionalBits.ToArray();
        int span = q.GroupSpan;
        for (int g = 0; g < q.Groups; g++)
        {
            var block = ws.Skip(g * span).Take(span).ToArray();
            var format = FixedPointFormat.FromRange(block.Min(), block.Max(), RoundedF(fs[g], config));
            for (int j = 0; j < span; j++)
            {
                long code = FixedPointReference.Code(block[j], format, r, o);
                Assert.Equal(Math.ScaleB((double)code, -format.FractionalBits), (double)y[g * span + j]);
            }
        }
    }

    [Fact]
    public void ActivationRangesWidenInTrainingAndStayFixedInEvaluationWhereOverflowApplies()
    {
        var rng = new Random(4);
        foreach (var overflow in Enum.GetValues<OverflowMode>())
        {
            var config = Config(HgqGranularity.Element, RoundingMode.RoundHalfUp, overflow);
            var q = new HgqQuantizer(HgqRole.Activation, [2, 3], config);
            RandomiseF(q, rng);
            var a = Tensor.RandN(rng, 1f, 4, 2, 3);
            var b = Tensor.RandN(rng, 3f, 4, 2, 3);
            q.Forward(a);
            q.Forward(b);
            var lo = q.RangeMin!.ToArray();
            var hi = q.RangeMax!.ToArray();
            for (int e = 0; e < 6; e++)
            {
                var column = Enumerable.Range(0, 4).SelectMany(n => new[] { a.ToArray()[n * 6 + e], b.ToArray()[n * 6 + e] }).ToArray();
                Assert.Equal(column.Min(), lo[e]);
                Assert.Equal(column.Max(), hi[e]);
            }

            q.Eval();
            var c = Tensor.RandN(rng, 6f, 4, 2, 3); // larger than anything recorded: overflow handling kicks in
            var y = q.Forward(c).ToArray();
            Assert.Equal(lo, q.RangeMin!.ToArray());
            var fs = q.FractionalBits.ToArray();
            var cs = c.ToArray();
            for (int i = 0; i < cs.Length; i++)
            {
                int e = i % 6;
                var format = FixedPointFormat.FromRange(lo[e], hi[e], RoundedF(fs[e], config));
                long code = FixedPointReference.Code(cs[i], format, config.Rounding, overflow);
                Assert.Equal(Math.ScaleB((double)code, -format.FractionalBits), (double)y[i]);
            }
        }
    }

    [Theory]
    [InlineData(HgqGranularity.Element)]
    [InlineData(HgqGranularity.Row)]
    [InlineData(HgqGranularity.Layer)]
    public void SurrogateGradientOfFIsMinusLn2TimesTheQuantizationErrorAndTheInputGetsTheStraightThroughGradient(HgqGranularity granularity)
    {
        var rng = new Random(5);
        var config = Config(granularity, RoundingMode.RoundHalfUp, OverflowMode.Saturate);
        var q = new HgqQuantizer(HgqRole.Activation, [3, 4], config);
        RandomiseF(q, rng);
        var calibration = Tensor.RandN(rng, 1f, 8, 3, 4);
        q.Forward(calibration);                       // records ranges
        var x = Tensor.RandN(rng, 1.3f, 8, 3, 4);      // partly outside them: saturated entries get no input gradient
        x.RequiresGrad = true;
        var c = Tensor.RandN(rng, 1f, 8, 3, 4);
        q.Eval();                                      // ranges fixed, so the forward is a pure function of x and f
        var y = q.Forward(x);
        Ops.Sum(Ops.Mul(y, c)).Backward();             // dL/dy = c

        var xs = x.ToArray();
        var ys = y.ToArray();
        var cs = c.ToArray();
        var expectedF = new double[q.Groups];
        var lo = q.RangeMin!.ToArray();
        var hi = q.RangeMax!.ToArray();
        var fs = q.FractionalBits.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            int g = i % 12 / q.GroupSpan;
            expectedF[g] += -Math.Log(2) * cs[i] * ((double)ys[i] - xs[i]);
            // The input gradient is c unless saturation clipped the code.
            var format = FixedPointFormat.FromRange(lo[g], hi[g], RoundedF(fs[g], config));
            double unbounded = FixedPoint.Round(Math.ScaleB((double)xs[i], format.FractionalBits), config.Rounding);
            bool clipped = unbounded > format.MaxCode || unbounded < format.LowestCode(config.Overflow);
            Assert.Equal(clipped ? 0f : cs[i], x.Grad!.ToArray()[i]);
        }
        var actual = q.FractionalBits.Grad!.ToArray();
        for (int g = 0; g < q.Groups; g++) Assert.Equal(expectedF[g], actual[g], 1e-4 * Math.Max(1, Math.Abs(expectedF[g])));
    }

    [Fact]
    public void AFinerGridLowersTheErrorAndTheSquaredErrorGradientOfFIsNegative()
    {
        // Raising f (finer grid) moves xq toward x, so the surrogate gradient of the squared error must be negative.
        var rng = new Random(6);
        var config = Config(HgqGranularity.Layer);
        var q = new HgqQuantizer(HgqRole.Weight, [64], config);
        q.FractionalBits.Span[0] = 2;
        var w = Tensor.RandN(rng, 1f, 64);
        var y2 = q.Forward(w).ToArray();
        q.FractionalBits.Span[0] = 3;
        var y3 = q.Forward(w).ToArray();
        var ws = w.ToArray();
        double err2 = ws.Select((v, i) => Math.Abs(y2[i] - v)).Sum(), err3 = ws.Select((v, i) => Math.Abs(y3[i] - v)).Sum();
        Assert.True(err3 < err2);
        // Gradient of the squared error L = Σ (xq - x)^2 / 2: dL/df = Σ (xq - x) * (-ln2 (xq - x)) < 0 (more bits, less error).
        var wt = w.Detach();
        var y = q.Forward(wt);
        var diff = Ops.Sub(y, wt);
        Ops.Sum(Ops.Mul(diff, diff)).Backward();
        Assert.True(q.FractionalBits.Grad!.ToArray()[0] < 0);
        double expected = -Math.Log(2) * 2 * ws.Select((v, i) => (y3[i] - (double)v) * (y3[i] - (double)v)).Sum();
        Assert.Equal(expected, q.FractionalBits.Grad!.ToArray()[0], 1e-3);
    }

    [Fact]
    public void ElementBitsCountWeightSpansAndActivationWidthsAndTheirGradientCountsEntriesWithBits()
    {
        var rng = new Random(7);
        var wq = new HgqQuantizer(HgqRole.Weight, [4, 6], Config(HgqGranularity.Row));
        RandomiseF(wq, rng);
        var w = Tensor.RandN(rng, 0.5f, 4, 6);
        var bits = wq.ElementBits(w);
        var codes = wq.WeightCodes(w);
        Assert.Equal(codes.Select(c => (float)FixedPoint.NonZeroSpan(c)).ToArray(), bits.ToArray());
        Ops.Sum(bits).Backward();
        var df = wq.FractionalBits.Grad!.ToArray();
        for (int r = 0; r < 4; r++) Assert.Equal(codes.Skip(r * 6).Take(6).Count(c => c != 0), df[r]);

        var aq = new HgqQuantizer(HgqRole.Activation, [5], Config(HgqGranularity.Element));
        RandomiseF(aq, rng);
        aq.Forward(Tensor.RandN(rng, 1f, 3, 5));
        var widths = aq.ElementBits().ToArray();
        var formats = aq.Formats();
        Assert.Equal(formats.Select(f => (float)f.Width).ToArray(), widths);
        Assert.Equal(formats.Select(f => f.Signed ? 1 + f.IntegerBits + f.FractionalBits : f.IntegerBits + f.FractionalBits)
            .Select(w => (float)Math.Max(0, w)).ToArray(), widths);
    }

    /// <summary>
    /// Activation formats are reused while (rounded f, ranges) stay the same; whatever changes one of them — a new f
    /// written straight into the parameter, a wider range from a training batch, a recalibration — must show in the
    /// next formats, bits and forward pass, exactly as computed afresh from FromRange.
    /// </summary>
    [Fact]
    public void ActivationFormatsFollowEveryChangeOfFAndRanges()
    {
        var rng = new Random(12);
        var config = Config(HgqGranularity.Element);
        var q = new HgqQuantizer(HgqRole.Activation, [6], config);
        void Check()
        {
            var lo = q.RangeMin!.ToArray();
            var hi = q.RangeMax!.ToArray();
            var f = q.FractionalBits.ToArray();
            var expected = Enumerable.Range(0, 6).Select(e => FixedPointFormat.FromRange(lo[e], hi[e], RoundedF(f[e], config))).ToArray();
            Assert.Equal(expected, q.Formats());
            Assert.Equal(expected.Select(x => x.Width), q.ElementBitCounts());
            Assert.Equal(expected.Select(x => (float)x.Width), q.ElementBits().ToArray());
        }
        q.Train();
        q.Forward(Tensor.RandN(rng, 1f, 4, 6));
        Check();
        q.FractionalBits.Span[2] += 2f; // rounded f changes
        Check();
        q.FractionalBits.Span[3] += 0.01f; // raw f moves, rounded f may not: same formats either way
        Check();
        q.Forward(Tensor.RandN(rng, 5f, 4, 6)); // wider ranges
        Check();
        q.Eval();
        q.BeginCalibration();
        q.Forward(Tensor.RandN(rng, 0.1f, 4, 6)); // narrower ranges from a fresh calibration
        q.EndCalibration();
        Check();
        var x = Tensor.RandN(rng, 0.2f, 3, 6);
        var formats = q.Formats();
        var y = q.Forward(x).ToArray();
        var xs = x.ToArray();
        for (int i = 0; i < xs.Length; i++)
            Assert.Equal((float)Math.ScaleB(FixedPoint.Code(xs[i], formats[i % 6], config.Rounding, config.Overflow), -formats[i % 6].FractionalBits), y[i]);
    }

    [Fact]
    public void AWeightWhoseFractionalBitsFallFarEnoughIsPrunedToZeroBits()
    {
        var q = new HgqQuantizer(HgqRole.Weight, [3], Config(HgqGranularity.Element));
        var w = Tensor.FromArray([0.3f, -0.02f, 0.6f], 3);
        q.FractionalBits.Span[0] = 0f;  // round(0.3) = 0
        q.FractionalBits.Span[1] = 4f;  // round(-0.32) = 0
        q.FractionalBits.Span[2] = 1f;  // round(1.2) = 1 -> 0.5
        Assert.Equal(new[] { 0f, 0f, 0.5f }, q.Forward(w).ToArray());
        Assert.Equal(new[] { 0f, 0f, 1f }, q.ElementBits(w).ToArray());
    }

    [Fact]
    public void ShapeMismatchAndBadConfigurationAreRefused()
    {
        var q = new HgqQuantizer(HgqRole.Activation, [4], Config(HgqGranularity.Element));
        Assert.Throws<ArgumentException>(() => q.Forward(Tensor.Zeros(2, 5)));
        var ex = Assert.Throws<MixQException>(() => new HgqQuantizerConfig { MinFractionalBits = 5, MaxFractionalBits = 2, InitialFractionalBits = 3 }.Validate("weights"));
        Assert.Contains("fractional bits", ex.Message);
    }
}
