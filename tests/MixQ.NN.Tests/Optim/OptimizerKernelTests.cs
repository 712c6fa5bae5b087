using MixQ.NN.Optim;
using static MixQ.NN.Tests.Optim.OptimizerTestData;

namespace MixQ.NN.Tests.Optim;

/// <summary>The vector kernels must agree bit for bit with their scalar twins, including ragged tails.</summary>
public class OptimizerKernelTests
{
    public static TheoryData<int> Lengths => [1, 3, 7, 15, 17, 31, 33, 47, 63, 65, 129, 257];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SgdMomentumVectorMatchesScalar(int n)
    {
        foreach (bool nesterov in new[] { false, true })
        {
            var rng = new Random(n * 2 + (nesterov ? 1 : 0));
            var p = RandomValues(rng, n);
            var g = RandomValues(rng, n);
            var buf = RandomValues(rng, n);
            var (p2, buf2) = ((float[])p.Clone(), (float[])buf.Clone());

            OptimizerKernels.SgdMomentum(p, g, buf, lr: 0.05f, wd: 1e-3f, momentum: 0.9f, gradScale: 0.7f, nesterov);
            OptimizerKernels.SgdMomentumScalar(p2, g, buf2, lr: 0.05f, wd: 1e-3f, momentum: 0.9f, gradScale: 0.7f, nesterov);

            Assert.Equal(p2, p);
            Assert.Equal(buf2, buf);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AdamVectorMatchesScalar(int n)
    {
        var coupled = new AdamCoefficients(StepSize: 0.013f, Beta1: 0.9f, Beta2: 0.999f, Epsilon: 1e-8f, BiasCorrection2Sqrt: 0.07f, L2: 0.01f, Keep: 1f);
        var decoupled = coupled with { L2 = 0f, Keep = 0.999f };
        foreach (var c in new[] { coupled, decoupled })
        {
            var rng = new Random(n);
            var p = RandomValues(rng, n);
            var g = RandomValues(rng, n);
            var m = RandomValues(rng, n, 0.1f);
            var v = RandomValues(rng, n, 0.01f).Select(MathF.Abs).ToArray();
            var (p2, m2, v2) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());

            OptimizerKernels.Adam(p, g, m, v, c);
            OptimizerKernels.AdamScalar(p2, g, m2, v2, c);

            Assert.Equal(p2, p);
            Assert.Equal(m2, m);
            Assert.Equal(v2, v);
        }
    }

    /// <summary>
    /// Bounded Adam against the plain scalar update followed by Math.Clamp, bit for bit, on lengths that take the
    /// one-thread path and ones cut into parallel chunks (whose seams must not show); NaN survives the clamp.
    /// </summary>
    [Theory]
    [InlineData(129)]
    [InlineData(100_003)]
    public void BoundedAdamEqualsAdamThenClampAndChunksEqualOnePass(int n)
    {
        var c = new AdamCoefficients(StepSize: 0.5f, Beta1: 0.9f, Beta2: 0.999f, Epsilon: 1e-8f, BiasCorrection2Sqrt: 0.07f, L2: 0f, Keep: 1f);
        var bounded = c with { Low = -8.49f, High = 10.49f };
        var rng = new Random(n);
        var p = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 22 - 10)).ToArray();
        p[n / 2] = float.NaN;
        var g = RandomValues(rng, n);
        var m = RandomValues(rng, n, 0.1f);
        var v = RandomValues(rng, n, 0.01f).Select(MathF.Abs).ToArray();
        var (p2, m2, v2) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());

        OptimizerKernels.Adam(p, g, m, v, bounded);
        OptimizerKernels.AdamScalar(p2, g, m2, v2, c);
        for (int i = 0; i < n; i++) p2[i] = Math.Clamp(p2[i], bounded.Low, bounded.High);

        Assert.Equal(p2.Select(BitConverter.SingleToInt32Bits), p.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(m2, m);
        Assert.Equal(v2, v);
        Assert.Contains(p, x => x == bounded.Low); // the bounds were reached, so the clamp was exercised
        Assert.Contains(p, x => x == bounded.High);
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() =>
            OptimizerKernels.SgdMomentum(new float[4], new float[3], new float[4], 0.1f, 0, 0.9f, 1, false));
    }
}
