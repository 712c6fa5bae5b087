using MixQ.NN.Layers;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Scaling;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Tests;

public class RowWiseFakeQuantTests
{
    private static readonly NumberFormat[] Mixed =
        new[] { "fixed-4", "sp2-4", "pot-4", "fixed-8", "sp2-8", "fixed-2" }.Select(s => NumberFormat.Parse(s)).ToArray();

    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void ForwardQuantizesEachRowWithItsOwnFormatAndScale()
    {
        var conv = new Conv2d(2, 6, 3, new Random(1));
        var scales = new[] { 0.1f, 0.2f, 0.05f, 0.3f, 0.15f, 0.12f };
        var recorded = FakeQuant.RowWiseWeights(conv.Weight, Mixed, scales);   // weight requires grad: recorded path
        Assert.True(recorded.RequiresGrad);
        Tensor plain;
        using (GradMode.NoGrad()) plain = FakeQuant.RowWiseWeights(conv.Weight, Mixed, scales);
        Assert.False(plain.RequiresGrad);

        var w = conv.Weight.ToArray();
        int length = 18;
        for (int r = 0; r < 6; r++)
        {
            var expected = new float[length];
            RowQuantizer.QuantizeWithScale(w.AsSpan(r * length, length), Mixed[r], scales[r], expected);
            Assert.Equal(Bits(expected), Bits(recorded.ToArray().AsSpan(r * length, length).ToArray()));
            Assert.Equal(Bits(expected), Bits(plain.ToArray().AsSpan(r * length, length).ToArray()));
        }
        Assert.Equal(conv.Weight.ShapeArray(), recorded.ShapeArray());
    }

    [Fact]
    public void StraightThroughInsideTheRangeZeroOutside()
    {
        // Row 0: fixed-4 at scale 0.5, range [-0.5, 0.5]. Row 1: 2-bit SP2 (max |Q| = 1/2) at scale 2, range [-1, 1].
        var w = Tensor.FromArray([0.1f, -0.5f, 0.5001f, -3f, 1f, -0.99f, 1.01f, 0.2f], 2, 4);
        w.RequiresGrad = true;
        var y = FakeQuant.RowWiseWeights(w, [NumberFormat.Fixed(4), NumberFormat.Sp2(2)], [0.5f, 2f]);
        var g = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 2, 4);
        y.Backward(g);
        Assert.Equal([1f, 2f, 0f, 0f, 5f, 6f, 0f, 8f], w.Grad!.ToArray());
    }

    [Fact]
    public void LsqScaleGradientMatchesHandComputedValues()
    {
        // fixed-4 (K = 7), alpha = 1: w = 0.3 -> q = 2/7 (inside), 1.5 -> 1 (outside), -0.2 -> -1/7 (inside), -3 -> -1.
        var w = Tensor.FromArray([0.3f, 1.5f, -0.2f, -3f], 1, 4);
        var alpha = Tensor.FromArray([1f], 1);
        alpha.RequiresGrad = true;
        var y = FakeQuant.RowWiseWeights(w, [NumberFormat.Fixed(4)], alpha);
        y.Backward(Tensor.FromArray([1f, 2f, 3f, 4f], 1, 4));
        double expected = 1 * (2 / 7.0 - 0.3) + 2 * 1 + 3 * (-1 / 7.0 + 0.2) + 4 * -1;
        Assert.Equal(expected, alpha.Grad!.Item(), 5);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void LsqScaleGradientIsTheDerivativeOfTheFrozenRoundingReference()
    {
        // STE reference: with each weight's rounding offset (q - t) frozen, y(alpha) = alpha (clip(w / alpha) + offset)
        // is smooth in alpha; its central difference must equal the LSQ gradient.
        var rng = new Random(6);
        foreach (var f in Mixed)
        {
            int n = 40;
            var wData = Enumerable.Range(0, n).Select(_ => 0.2f * Tensor.Gaussian(rng)).ToArray();
            var gData = Enumerable.Range(0, n).Select(_ => Tensor.Gaussian(rng)).ToArray();
            float a = 0.25f;
            var alpha = Tensor.FromArray([a], 1);
            alpha.RequiresGrad = true;
            var w = Tensor.FromArray(wData, 1, n);
            w.RequiresGrad = true;
            FakeQuant.RowWiseWeights(w, [f], alpha).Backward(Tensor.FromArray(gData, 1, n));

            double maxQ = f.Levels.MaxMagnitude;
            var offset = wData.Select(v => NaiveQuantizer.Nearest(f, v / a) - Math.Clamp(v / (double)a, -maxQ, maxQ)).ToArray();
            double Loss(double al) => Enumerable.Range(0, n).Sum(i => gData[i] * al * (Math.Clamp(wData[i] / al, -maxQ, maxQ) + offset[i]));
            double h = 1e-6;
            double numeric = (Loss(a + h) - Loss(a - h)) / (2 * h);
            Assert.Equal(numeric, alpha.Grad!.Item(), 3);

            // ...and the weight gradient is that reference's derivative in w.
            var dw = w.Grad!.ToArray();
            for (int i = 0; i < n; i++)
            {
                double up = gData[i] * a * (Math.Clamp((wData[i] + h) / a, -maxQ, maxQ) + offset[i]);
                double down = gData[i] * a * (Math.Clamp((wData[i] - h) / a, -maxQ, maxQ) + offset[i]);
                if (Math.Abs(Math.Abs(wData[i] / a) - maxQ) > 1e-4) Assert.Equal((up - down) / (2 * h), dw[i], 3);
            }
        }
    }

    [Fact]
    public void ScaleGradientFactorScalesOnlyTheScaleGradient()
    {
        var w = Tensor.FromArray([0.3f, 1.5f, -0.2f, -3f], 1, 4);
        w.RequiresGrad = true;
        var alpha = Tensor.FromArray([1f], 1);
        alpha.RequiresGrad = true;
        FakeQuant.RowWiseWeights(w, [NumberFormat.Fixed(4)], alpha).Backward(Tensor.Ones(1, 4));
        float plain = alpha.Grad!.Item();
        var plainW = w.Grad!.ToArray();
        alpha.Grad = null;
        w.Grad = null;
        FakeQuant.RowWiseWeights(w, [NumberFormat.Fixed(4)], alpha, scaleGradientFactor: 0.25f).Backward(Tensor.Ones(1, 4));
        Assert.Equal(plain * 0.25f, alpha.Grad!.Item(), 6);
        Assert.Equal(plainW, w.Grad!.ToArray());
    }

    [Fact]
    public void GradientsAccumulateAcrossUses()
    {
        var w = Tensor.FromArray([0.1f, -0.2f], 1, 2);
        w.RequiresGrad = true;
        var y1 = FakeQuant.RowWiseWeights(w, [NumberFormat.Fixed(4)], [1f]);
        var y2 = FakeQuant.RowWiseWeights(w, [NumberFormat.Fixed(4)], [1f]);
        Ops.Add(y1, y2).Backward(Tensor.Ones(1, 2));
        Assert.Equal([2f, 2f], w.Grad!.ToArray());
    }

    [Fact]
    public void NonPositiveScalesAreRejected()
    {
        var e = Assert.Throws<MixQException>(() => FakeQuant.RowWiseWeights(Tensor.Ones(2, 2), [NumberFormat.Fixed(4), NumberFormat.Fixed(4)], [1f, 0f]));
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void LearnedScalesPushedBelowTheirFloorAreProjectedBackBeforeUse()
    {
        var linear = new Linear(16, 6, new Random(3));
        var q = new RowWiseWeightQuantizer(linear.Weight, Mixed, learnScale: true);
        float[] calibrated = q.Scale.ToArray();
        var s = q.Scale.Span;
        s[0] = -0.5f;                    // an SGD step larger than the scale itself
        s[1] = calibrated[1] * 1e-4f;    // positive but below the floor
        s[2] = calibrated[2] * 0.5f;     // within the allowed set: untouched
        var y = q.Forward(linear.Weight);
        Assert.Equal(calibrated[0] * RowWiseWeightQuantizer.ScaleFloorShare, q.Scale.ToArray()[0]);
        Assert.Equal(calibrated[1] * RowWiseWeightQuantizer.ScaleFloorShare, q.Scale.ToArray()[1]);
        Assert.Equal(calibrated[2] * 0.5f, q.Scale.ToArray()[2]);
        Assert.True(y.ToArray().All(float.IsFinite));
        // Fixed (buffer) scales are never touched.
        var f = new RowWiseWeightQuantizer(linear.Weight, Mixed, learnScale: false);
        f.Scale.Span[0] = -1f;
        Assert.Throws<MixQException>(() => f.Forward(linear.Weight));
    }

    [Fact]
    public void ModuleStartsFromMseScalesAndLearnsThem()
    {
        var linear = new Linear(16, 6, new Random(3));
        var q = new RowWiseWeightQuantizer(linear.Weight, Mixed, learnScale: true);
        Assert.Equal(RowQuantizer.QuantizeRows(linear.Weight, Mixed).Scales, q.Scale.ToArray());
        Assert.Contains(q.NamedParameters(), p => p.Name == "scale");

        var y = q.Forward(linear.Weight);
        Ops.Sum(Ops.Square(y)).Backward();
        Assert.NotNull(q.Scale.Grad);
        Assert.NotNull(linear.Weight.Grad);
        Assert.Equal([6], q.Scale.Grad!.ShapeArray());

        var frozen = new RowWiseWeightQuantizer(linear.Weight, Mixed, learnScale: false);
        Assert.Empty(frozen.NamedParameters());
        Assert.Contains(frozen.NamedBuffers(), b => b.Name == "scale");

        var all8 = Enumerable.Repeat(NumberFormat.Fixed(8), 6).ToArray();
        frozen.Assign(linear.Weight, all8);
        Assert.Equal(all8, frozen.Formats);
        Assert.Equal(RowQuantizer.QuantizeRows(linear.Weight, all8).Scales, frozen.Scale.ToArray());
    }

    [Fact]
    public void ReassignKeepsTheLearnedScaleOfRowsThatKeepTheirFormat()
    {
        var linear = new Linear(16, 6, new Random(4));
        var q = new RowWiseWeightQuantizer(linear.Weight, Mixed, learnScale: true);
        var learned = new[] { 0.5f, 0.25f, 0.125f, 0.75f, 1.5f, 2f };
        learned.CopyTo(q.Scale.Span);
        var next = (NumberFormat[])Mixed.Clone();
        next[1] = NumberFormat.Fixed(4); // was sp2-4
        next[4] = NumberFormat.Parse("pot-4"); // was sp2-8

        Assert.Equal([1, 4], q.Reassign(linear.Weight, next));

        Assert.Equal(next, q.Formats);
        // Independent reference for the changed rows: the MSE-optimal scale of that row alone in its new format.
        var expected = RowQuantizer.QuantizeRows(linear.Weight, next).Scales;
        var scales = q.Scale.ToArray();
        for (int r = 0; r < 6; r++)
            Assert.Equal(r is 1 or 4 ? expected[r] : learned[r], scales[r]);
        Assert.NotEqual(learned[1], scales[1]);

        // Fixed (buffer) scales follow the current weights in every row, as at the start.
        var frozen = new RowWiseWeightQuantizer(linear.Weight, Mixed, learnScale: false);
        learned.CopyTo(frozen.Scale.Span);
        Assert.Equal([1, 4], frozen.Reassign(linear.Weight, next));
        Assert.Equal(expected, frozen.Scale.ToArray());
    }
}
