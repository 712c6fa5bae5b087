using MixQ.Quantization.Observers;
using MixQ.Tensors;

namespace MixQ.Quantization.Tests;

public class ActivationFakeQuantTests
{
    /// <summary>Naive twin: t = fl(x * fl(1/a)), k = clamp(round half away(t n)) computed exactly in double.</summary>
    private static float Reference(float x, float a, int bits, bool signed)
    {
        int n = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
        float t = x * (1f / a);
        double y = (double)t * n;
        double k = Math.Sign(y) * Math.Floor(Math.Abs(y) + 0.5);
        k = Math.Clamp(k, signed ? -n : 0, n);
        return a * (float)(k / n);
    }

    [Theory]
    [InlineData(2, false, 3f)]
    [InlineData(4, false, 6f)]
    [InlineData(8, false, 1.7f)]
    [InlineData(3, true, 2f)]
    [InlineData(8, true, 0.9f)]
    public void ForwardMatchesTheNaiveTwin(int bits, bool signed, float a)
    {
        var x = Tensor.RandUniform(new Random(bits), -1.5f * a, 1.5f * a, 5, 41);
        var y = FakeQuant.Activations(x, Tensor.FromArray([a], 1), bits, signed).ToArray();
        var xs = x.ToArray();
        for (int i = 0; i < xs.Length; i++) Assert.Equal(Reference(xs[i], a, bits, signed), y[i]);
    }

    [Fact]
    public void UnsignedTwoBitsHandChecked()
    {
        // a = 4, n = 3 steps of 4/3: levels 0, 4/3, 8/3, 4. The tie x = 2 (t * 3 = 1.5) rounds up.
        var x = Tensor.FromArray([-1f, 0.5f, 0.7f, 2f, 3.9f, 9f]);
        var y = FakeQuant.Activations(x, Tensor.FromArray([4f], 1), 2, signed: false).ToArray();
        Assert.Equal([0f, 0f, 4f / 3f, 8f / 3f, 4f, 4f], y);
    }

    [Fact]
    public void PactGradientsUnsigned()
    {
        var x = Tensor.FromArray([-1f, 0f, 0.5f, 1.99f, 2f, 7f]);
        x.RequiresGrad = true;
        var a = Tensor.FromArray([2f], 1);
        a.RequiresGrad = true;
        FakeQuant.Activations(x, a, 4, signed: false).Backward(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f]));
        Assert.Equal([0f, 2f, 3f, 4f, 0f, 0f], x.Grad!.ToArray());  // passes where 0 <= x < a
        Assert.Equal(5f + 6f, a.Grad!.Item());                       // da = Σ g over x >= a
    }

    [Fact]
    public void PactGradientsSigned()
    {
        var x = Tensor.FromArray([-3f, -2f, -1.5f, 0f, 1.5f, 2f, 5f]);
        x.RequiresGrad = true;
        var a = Tensor.FromArray([2f], 1);
        a.RequiresGrad = true;
        FakeQuant.Activations(x, a, 4, signed: true).Backward(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f]));
        Assert.Equal([0f, 0f, 3f, 4f, 5f, 0f, 0f], x.Grad!.ToArray());  // passes where -a < x < a
        Assert.Equal(-1f - 2f + 6f + 7f, a.Grad!.Item());                // da = Σ g sign(x) over |x| >= a
    }

    [Fact]
    public void PactClipGradientMatchesFiniteDifferencesOfTheClippedReference()
    {
        // With rounding frozen (STE), y = clip(x, 0, a) + offset; d/da Σ g y is the PACT gradient.
        var rng = new Random(8);
        var xs = Enumerable.Range(0, 300).Select(_ => 3f * Tensor.Gaussian(rng)).ToArray();
        var gs = Enumerable.Range(0, 300).Select(_ => Tensor.Gaussian(rng)).ToArray();
        float a0 = 2.5f;
        var a = Tensor.FromArray([a0], 1);
        a.RequiresGrad = true;
        FakeQuant.Activations(Tensor.FromArray(xs), a, 3, signed: false).Backward(Tensor.FromArray(gs));
        double Loss(double al) => xs.Select((v, i) => gs[i] * Math.Clamp((double)v, 0, al)).Sum();
        double h = 1e-5;
        Assert.Equal((Loss(a0 + h) - Loss(a0 - h)) / (2 * h), a.Grad!.Item(), 3);
    }

    [Fact]
    public void ReductionIsIndependentOfTheThreadCount()
    {
        var x = Tensor.RandN(new Random(2), 2f, 100_003);
        var g = Tensor.RandN(new Random(3), 1f, 100_003);
        float Run(int threads)
        {
            int saved = MixQ.Tensors.Kernels.BatchParallel.MaxDegreeOfParallelism;
            try
            {
                MixQ.Tensors.Kernels.BatchParallel.MaxDegreeOfParallelism = threads;
                var a = Tensor.FromArray([1f], 1);
                a.RequiresGrad = true;
                FakeQuant.Activations(x, a, 4, signed: true).Backward(g);
                return a.Grad!.Item();
            }
            finally
            {
                MixQ.Tensors.Kernels.BatchParallel.MaxDegreeOfParallelism = saved;
            }
        }
        Assert.Equal(Run(1), Run(4));
    }

    [Fact]
    public void LearnedClipIsAParameterCalibratedClipABuffer()
    {
        var learned = new ActivationQuantizer(new ActivationQuantConfig { Mode = ClipMode.Learned });
        Assert.True(learned.Clip.RequiresGrad);
        Assert.Contains(learned.NamedParameters(), p => p.Name == "clip");
        var calibrated = new ActivationQuantizer(new ActivationQuantConfig { Mode = ClipMode.Calibrated });
        Assert.False(calibrated.Clip.RequiresGrad);
        Assert.Contains(calibrated.NamedBuffers(), p => p.Name == "clip");
    }

    [Fact]
    public void CalibrationObservesWithoutQuantizingThenSetsTheClip()
    {
        var q = new ActivationQuantizer(new ActivationQuantConfig { Bits = 4, Mode = ClipMode.Calibrated });
        q.BeginCalibration();
        var b1 = Tensor.FromArray([0f, 1f, 2.5f]);
        Assert.Same(b1, q.Forward(b1));
        q.Forward(Tensor.FromArray([3.75f, -9f]));
        Assert.Equal(3.75f, q.EndCalibration());
        Assert.Equal(3.75f, q.Clip.Item());
        var y = q.Forward(Tensor.FromArray([-1f, 1f, 2.5f, 10f])).ToArray();
        Assert.Equal(0f, y[0]);
        Assert.Equal(3.75f, y[3]);
        Assert.InRange(y[1], 1f - 0.125f, 1f + 0.125f);  // 15 steps of 0.25
        Assert.InRange(y[2], 2.5f - 0.125f, 2.5f + 0.125f);
    }

    [Fact]
    public void PercentileConfigPicksAPercentileObserver()
    {
        var q = new ActivationQuantizer(new ActivationQuantConfig { Percentile = 99.9, Signed = true });
        Assert.IsType<PercentileObserver>(q.Observer);
        Assert.True(q.Observer.Signed);
    }

    [Fact]
    public void DeadActivationsKeepThePreviousClip()
    {
        var q = new ActivationQuantizer(new ActivationQuantConfig { InitialClip = 4f });
        q.BeginCalibration();
        q.Forward(Tensor.FromArray([-1f, 0f]));
        Assert.Equal(4f, q.EndCalibration());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void ConfigRejectsBadBits(int bits) =>
        Assert.Contains("bits", Assert.Throws<MixQException>(() => new ActivationQuantizer(new ActivationQuantConfig { Bits = bits })).Message);
}
