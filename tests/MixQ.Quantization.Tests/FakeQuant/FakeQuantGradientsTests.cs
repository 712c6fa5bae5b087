using MixQ.Quantization.NumberSystems;
using MixQ.Tensors;
using MixQ.Tensors.Kernels;

namespace MixQ.Quantization.Tests;

/// <summary>
/// The vector backward kernels of the fake quantizers against their scalar twins (bit for bit, odd lengths, values on
/// every boundary), and the whole ops against the per-element formulas the kernels replaced.
/// </summary>
public class FakeQuantGradientsTests
{
    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static float Edgy(Random rng, float edge) => rng.Next(5) switch
    {
        0 => edge,
        1 => -edge,
        2 => MathF.BitIncrement(edge) * (rng.Next(2) * 2 - 1),
        3 => MathF.BitDecrement(edge) * (rng.Next(2) * 2 - 1),
        _ => (float)(rng.NextDouble() * 3 - 1.5) * edge,
    };

    [Theory]
    [InlineData(1f, 0.25f)]
    [InlineData(0.5f, 0.1f)]
    [InlineData(1f, 3f)]
    public void WeightRowVectorPathsAreBitIdenticalToTheScalarTwin(float maxQ, float alpha)
    {
        var rng = new Random((int)(maxQ * 10 + alpha * 100));
        float inv = 1f / alpha;
        for (int n = 0; n <= 70; n++)
        {
            var w = Enumerable.Range(0, n).Select(_ => Edgy(rng, maxQ * alpha)).ToArray();
            var g = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var q = w.Select(v => NumberFormat.Sp2(4).Levels.Nearest(v * inv)).ToArray();

            var dwScalar = new float[n];
            var cScalar = (float[])q.Clone();
            FakeQuantGradients.WeightRowScalar(w, inv, maxQ, g, dwScalar, cScalar);

            foreach (var path in new Func<float[], float[], float[], int>[]
            {
                (dw, c, _) => FakeQuantGradients.WeightRow512(w, inv, maxQ, g, dw, c),
                (dw, c, _) => FakeQuantGradients.WeightRow256(w, inv, maxQ, g, dw, c),
                (_, _, _) => 0,
            })
            {
                var dw = new float[n];
                var c = (float[])q.Clone();
                int done = path(dw, c, q);
                FakeQuantGradients.WeightRowScalar(w.AsSpan(done), inv, maxQ, g.AsSpan(done), dw.AsSpan(done), c.AsSpan(done));
                Assert.Equal(Bits(dwScalar), Bits(dw));
                Assert.Equal(Bits(cScalar), Bits(c));
            }

            var dwDispatched = new float[n];
            var cDispatched = (float[])q.Clone();
            FakeQuantGradients.WeightRow(w, inv, maxQ, g, dwDispatched, cDispatched);
            Assert.Equal(Bits(dwScalar), Bits(dwDispatched));
            Assert.Equal(Bits(cScalar), Bits(cDispatched));

            // Either output may be absent.
            var dwOnly = new float[n];
            FakeQuantGradients.WeightRow(w, inv, maxQ, g, dwOnly, []);
            Assert.Equal(Bits(dwScalar), Bits(dwOnly));
            var cOnly = (float[])q.Clone();
            FakeQuantGradients.WeightRow(w, inv, maxQ, g, [], cOnly);
            Assert.Equal(Bits(cScalar), Bits(cOnly));
        }
    }

    [Theory]
    [InlineData(1f, 0.25f)]
    [InlineData(0.5f, 0.1f)]
    [InlineData(1f, 3f)]
    public void WeightRowScaleSumPathsAreBitIdenticalToTheScalarTwin(float maxQ, float alpha)
    {
        var rng = new Random((int)(maxQ * 10 + alpha * 100) + 1);
        float inv = 1f / alpha;
        foreach (int n in Enumerable.Range(0, 70).Concat([784, 799]))
        {
            var w = Enumerable.Range(0, n).Select(_ => Edgy(rng, maxQ * alpha)).ToArray();
            var g = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * (rng.Next(3) == 0 ? 1e6f : 1f)).ToArray();
            var q = w.Select(v => NumberFormat.Sp2(4).Levels.Nearest(v * inv)).ToArray();

            var dwScalar = new float[n];
            double sumScalar = FakeQuantGradients.WeightRowScaleSumScalar(w, inv, maxQ, g, dwScalar, q);
            // The twin against the definition: the mask of WeightRowScalar and its lane order written out here.
            var dwRef = new float[n];
            var cRef = (float[])q.Clone();
            FakeQuantGradients.WeightRowScalar(w, inv, maxQ, g, dwRef, cRef);
            Assert.Equal(Bits(dwRef), Bits(dwScalar));
            int body = n - n % 16;
            var lanes = new double[16];
            for (int j = 0; j < body; j++) lanes[j % 16] += (double)g[j] * cRef[j];
            double expected = 0;
            for (int l = 0; l < 8; l++) expected += lanes[l] + lanes[l + 8];
            for (int j = body; j < n; j++) expected += (double)g[j] * cRef[j];
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(sumScalar));

            foreach (var path in new Func<float[], double>[]
            {
                dw => FakeQuantGradients.WeightRowScaleSum512(w, inv, maxQ, g, dw, q),
                dw => FakeQuantGradients.WeightRowScaleSum256(w, inv, maxQ, g, dw, q),
                dw => FakeQuantGradients.WeightRowScaleSum(w, inv, maxQ, g, dw, q),
            })
            {
                var dw = new float[n];
                Assert.Equal(BitConverter.DoubleToInt64Bits(sumScalar), BitConverter.DoubleToInt64Bits(path(dw)));
                Assert.Equal(Bits(dwScalar), Bits(dw));
            }
            Assert.Equal(BitConverter.DoubleToInt64Bits(sumScalar), BitConverter.DoubleToInt64Bits(FakeQuantGradients.WeightRowScaleSum(w, inv, maxQ, g, [], q)));

            // dw written over g itself (the backward's hand-over): the same sum and mask on every path.
            foreach (var path in new Func<float[], double>[]
            {
                gd => FakeQuantGradients.WeightRowScaleSumScalar(w, inv, maxQ, gd, gd, q),
                gd => FakeQuantGradients.WeightRowScaleSum512(w, inv, maxQ, gd, gd, q),
                gd => FakeQuantGradients.WeightRowScaleSum256(w, inv, maxQ, gd, gd, q),
            })
            {
                var inPlace = (float[])g.Clone();
                Assert.Equal(BitConverter.DoubleToInt64Bits(sumScalar), BitConverter.DoubleToInt64Bits(path(inPlace)));
                Assert.Equal(Bits(dwScalar), Bits(inPlace));
            }
        }
    }

    [Theory]
    [InlineData(false, 0.002)]
    [InlineData(false, 0.4)]
    [InlineData(true, 0.002)]
    [InlineData(true, 0.4)]
    public void ActivationVectorPathsAreBitIdenticalToTheScalarTwin(bool signed, double clippedShare)
    {
        var rng = new Random(signed ? 7 : 8);
        float a = 1.7f;
        for (int n = 0; n <= 70; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < clippedShare
                ? (rng.Next(2) == 0 ? a : -a) * (1 + (float)rng.NextDouble())
                : rng.Next(6) switch { 0 => 0f, 1 => -0f, 2 => a, 3 => -a, 4 => MathF.BitDecrement(a), _ => (float)(rng.NextDouble() * 2 - 1) * a })
                .ToArray();
            var g = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var dxScalar = new float[n];
            double sumScalar = 0;
            FakeQuantGradients.ActivationScalar(x, a, signed, g, dxScalar, ref sumScalar);

            foreach (var path in new[] { 512, 256 })
            {
                var dx = new float[n];
                double sum = 0;
                int done = path == 512
                    ? FakeQuantGradients.Activation512(x, a, signed, g, dx, ref sum)
                    : FakeQuantGradients.Activation256(x, a, signed, g, dx, ref sum);
                FakeQuantGradients.ActivationScalar(x.AsSpan(done), a, signed, g.AsSpan(done), dx.AsSpan(done), ref sum);
                Assert.Equal(Bits(dxScalar), Bits(dx));
                Assert.Equal(BitConverter.DoubleToInt64Bits(sumScalar), BitConverter.DoubleToInt64Bits(sum));
            }
            var dxDispatched = new float[n];
            Assert.Equal(BitConverter.DoubleToInt64Bits(sumScalar), BitConverter.DoubleToInt64Bits(FakeQuantGradients.Activation(x, a, signed, g, dxDispatched)));
            Assert.Equal(Bits(dxScalar), Bits(dxDispatched));
            Assert.Equal(BitConverter.DoubleToInt64Bits(sumScalar), BitConverter.DoubleToInt64Bits(FakeQuantGradients.Activation(x, a, signed, g, [])));
        }
    }

    [Theory]
    [InlineData(false, 0.002, 5000)]
    [InlineData(false, 0.3, 1001)]
    [InlineData(true, 0.01, 7)]
    [InlineData(true, 0.3, 4099)]
    public void ClippedSumsEqualTheFullScanChunkByChunk(bool signed, double clippedShare, int size)
    {
        var rng = new Random(size);
        float a = 1.3f;
        var x = Enumerable.Range(0, size).Select(_ => rng.NextDouble() < clippedShare
            ? (rng.Next(2) == 0 ? a : -a) * (1 + (float)rng.NextDouble())
            : (float)(rng.NextDouble() * 2 - 1) * a).ToArray();
        var g = Enumerable.Range(0, size).Select(_ => (float)(rng.NextDouble() * 2 - 1) * (rng.Next(4) == 0 ? 1e7f : 1f)).ToArray();
        foreach (int chunks in new[] { 1, 3, 8 })
        {
            var expected = new double[chunks];
            for (int k = 0; k < chunks; k++)
            {
                int start = BatchParallel.ChunkStart(size, chunks, k), end = BatchParallel.ChunkStart(size, chunks, k + 1);
                expected[k] = FakeQuantGradients.Activation(x.AsSpan(start, end - start), a, signed, g.AsSpan(start, end - start), []);
            }
            var partials = new double[chunks];
            FakeQuantGradients.ClippedSums(FakeQuantGradients.ClippedIndices(x, a, signed), g, x, a, size, partials);
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), partials.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Fact]
    public void RowWiseBackwardEqualsThePerElementFormula()
    {
        // Large enough to be split over threads; mixed formats; the formula is the one the kernels replaced.
        var rng = new Random(11);
        int rows = 97, length = 413;
        var formats = Enumerable.Range(0, rows).Select(r => NumberFormat.Parse(new[] { "sp2-4", "fixed-4", "fixed-8", "pot-4", "sp2-2" }[r % 5])).ToArray();
        var wData = Enumerable.Range(0, rows * length).Select(_ => 0.1f * Tensor.Gaussian(rng)).ToArray();
        var alphas = Enumerable.Range(0, rows).Select(_ => 0.05f + 0.2f * (float)rng.NextDouble()).ToArray();
        var gData = Enumerable.Range(0, rows * length).Select(_ => Tensor.Gaussian(rng)).ToArray();
        const float factor = 0.37f;

        var w = Tensor.FromArray(wData, rows, length);
        w.RequiresGrad = true;
        var scale = Tensor.FromArray(alphas, rows);
        scale.RequiresGrad = true;
        var y = FakeQuant.RowWiseWeights(w, formats, scale, factor);
        y.Backward(Tensor.FromArray(gData, rows, length));

        var dwExpected = new float[rows * length];
        var scaleExpected = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            float inv = 1f / alphas[r], maxQ = formats[r].Levels.MaxMagnitude;
            // The exact products summed in 16 lanes (j mod 16), folded pairwise in order, then the tail in order.
            var lanes = new double[16];
            double inOrder = 0;
            int body = length - length % 16;
            for (int j = 0; j < length; j++)
            {
                int i = r * length + j;
                float t = wData[i] * inv;
                float q = formats[r].Levels.Nearest(t);
                bool inside = MathF.Abs(t) <= maxQ;
                dwExpected[i] = inside ? gData[i] : 0f;
                double product = (double)gData[i] * (inside ? q - t : q);
                inOrder += product;
                if (j < body) lanes[j % 16] += product;
            }
            double sum = 0;
            for (int l = 0; l < 8; l++) sum += lanes[l] + lanes[l + 8];
            for (int j = body; j < length; j++)
            {
                int i = r * length + j;
                float t = wData[i] * inv;
                float q = formats[r].Levels.Nearest(t);
                sum += (double)gData[i] * (MathF.Abs(t) <= maxQ ? q - t : q);
            }
            scaleExpected[r] = (float)(sum * factor);
            // The previous in-order double sum agrees to double rounding: at most one float ulp apart after the cast.
            Assert.True(Math.Abs((float)(inOrder * factor) - scaleExpected[r]) <= MathF.BitIncrement(MathF.Abs(scaleExpected[r])) - MathF.Abs(scaleExpected[r]));
        }
        Assert.Equal(Bits(dwExpected), Bits(w.Grad!.ToArray()));
        Assert.Equal(Bits(scaleExpected), Bits(scale.Grad!.ToArray()));

        // A second backward over the same graph (its levels were consumed by the first) adds the same again.
        y.Backward(Tensor.FromArray(gData, rows, length));
        Assert.Equal(Bits(scaleExpected.Select(v => v + v).ToArray()), Bits(scale.Grad!.ToArray()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ActivationBackwardEqualsThePerElementFormula(bool signed)
    {
        var rng = new Random(signed ? 3 : 4);
        int batch = 64, features = 1031;
        float a = 2.5f;
        var xData = Enumerable.Range(0, batch * features).Select(_ => 1.5f * Tensor.Gaussian(rng)).ToArray();
        var gData = Enumerable.Range(0, batch * features).Select(_ => Tensor.Gaussian(rng)).ToArray();
        var x = Tensor.FromArray(xData, batch, features);
        x.RequiresGrad = true;
        var clip = Tensor.FromArray([a], 1);
        clip.RequiresGrad = true;
        FakeQuant.Activations(x, clip, 4, signed).Backward(Tensor.FromArray(gData, batch, features));

        int size = batch * features, reduce = BatchParallel.ReductionChunks;
        var dxExpected = new float[size];
        double total = 0;
        for (int chunk = 0; chunk < reduce; chunk++)
        {
            double sum = 0;
            for (int i = BatchParallel.ChunkStart(size, reduce, chunk); i < BatchParallel.ChunkStart(size, reduce, chunk + 1); i++)
            {
                float v = xData[i];
                bool inside = signed ? v > -a && v < a : v >= 0f && v < a;
                dxExpected[i] = inside ? gData[i] : 0f;
                if (v >= a) sum += gData[i];
                else if (signed && v <= -a) sum -= gData[i];
            }
            total += sum;
        }
        Assert.Equal(Bits(dxExpected), Bits(x.Grad!.ToArray()));
        Assert.Equal(BitConverter.SingleToInt32Bits((float)total), BitConverter.SingleToInt32Bits(clip.Grad!.Item()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ClippedIndicesListExactlyTheEntriesTheClipGradientReads(bool signed)
    {
        var rng = new Random(signed ? 31 : 32);
        float a = 1.25f;
        for (int n = 0; n <= 70; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => rng.Next(4) switch { 0 => a, 1 => -a, _ => (float)(rng.NextDouble() * 3 - 1.5) }).ToArray();
            var expected = new List<int>();
            FakeQuantGradients.ClippedIndicesScalar(x, a, signed, 0, expected);
            Assert.Equal(expected, FakeQuantGradients.ClippedIndices(x, a, signed));
            Assert.All(expected, i => Assert.True(x[i] >= a || (signed && x[i] <= -a)));
        }
    }

    [Theory]
    [InlineData(2.6f, true)]   // ~1% of the entries clipped: the layer computes just those
    [InlineData(1.5f, false)]  // ~13%: past the threshold, a full input gradient as before
    public void ClipGradientOfADataInputIsTheSameWithTheSparseInputGradient(float clipValue, bool sparse)
    {
        // Data input (no gradient of its own) into a linear layer: the quantizer asks only for the clipped entries;
        // the clip gradient must match the one from the full input gradient (same dot products, other order).
        var rng = new Random(41);
        var xData = Tensor.RandN(rng, 1f, 32, 50).ToArray();
        var w = Tensor.RandN(rng, 0.3f, 20, 50);
        w.RequiresGrad = true;
        var seed = Tensor.RandN(rng, 1f, 32, 20);
        float Clip(bool dataInput, out int[]? support)
        {
            var x = Tensor.FromArray(xData, 32, 50);
            x.RequiresGrad = !dataInput;
            var clip = Tensor.FromArray([clipValue], 1);
            clip.RequiresGrad = true;
            var xq = FakeQuant.Activations(x, clip, 8, signed: true);
            support = xq.GradientSupport;
            Ops.Linear(xq, w).Backward(seed);
            return clip.Grad!.Item();
        }
        float dense = Clip(dataInput: false, out var none);
        float viaHint = Clip(dataInput: true, out var support);
        Assert.Null(none);
        if (sparse)
        {
            Assert.NotNull(support);
            Assert.InRange(support!.Length, 1, 32 * 50 / 32);
            Assert.Equal(xData.Select((v, i) => (v, i)).Where(p => p.v >= clipValue || p.v <= -clipValue).Select(p => p.i), support);
        }
        else Assert.Null(support);
        Assert.NotEqual(0f, dense);
        Assert.Equal(dense, viaHint, 1e-4f * Math.Max(1f, Math.Abs(dense)));
    }
}
