using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.Quantization.Integer;
using MixQ.Quantization.NumberSystems;
using MixQ.Quantization.Qat;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Quantization.Tests.Integer;

/// <summary>
/// The converted integer model against an independent double-precision reference of the fake-quantized model:
/// activations are k * (a / n), weights alpha * level (exact), sums in double, and each layer input is requantized
/// with round-half-away of y / step. Integer codes must equal the reference's wherever the reference value is not
/// within 1e-6 of a rounding boundary.
/// </summary>
public class IntegerConverterTests
{
    [Theory]
    [InlineData("fixed-4:100", 1)]
    [InlineData("pot-4:100", 2)]
    [InlineData("sp2-4:100", 3)]
    [InlineData("sp2-4:50,fixed-4:50", 4)]
    [InlineData("sp2-4:40,fixed-4:30,pot-4:10,fixed-8:10,sp2-8:10", 5)]
    public void IntegerCodesEqualTheDoubleReferenceOfTheFakeQuantizedModel(string mix, int seed)
    {
        var model = IntegerTestModels.QuantizedConvNet(mix, seed);
        var spec = new ModelSpec("convnet", [2, 6, 6], 3);
        var (integer, dropped) = IntegerConverter.Convert(model, spec, "test");
        Assert.Equal(0, dropped);
        var engine = new IntegerEngine(integer);
        var rng = new Random(seed + 100);
        int batch = 64;
        var x = IntegerTestModels.RandomInputs(rng, batch * 72);
        var traces = new Dictionary<int, long[]>();
        engine.Trace = (layer, values, _) => traces[layer] = values;
        var logits = engine.Logits(x, batch);

        var layers = QatModel.Layers(model);
        var reference = Reference(model, x, batch, out var nearTies);
        // Integer codes entering each quantized layer (the traces just before each Dense/Conv2d).
        int q = 0;
        long compared = 0;
        for (int l = 0; l < integer.Layers.Count; l++)
        {
            if (integer.Layers[l] is not (IntDense or IntConv2d)) continue;
            var codes = traces[l - 1];
            Assert.Equal(reference[q].Length, codes.Length);
            for (int i = 0; i < codes.Length; i++)
            {
                if (nearTies[q].Contains(i)) continue;
                Assert.True(reference[q][i] == codes[i], $"{mix}: layer {layers[q].Name} code {i}: reference {reference[q][i]}, integer {codes[i]}");
                compared++;
            }
            q++;
        }
        Assert.Equal(layers.Count, q);
        Assert.True(nearTies.Sum(t => t.Count) < compared / 1000 + 2, "too many near-ties to be a fair test");

        // Logits: integer * output_scale against the reference's double logits.
        var finalRef = ReferenceLogits;
        if (nearTies.Sum(t => t.Count) > 0) return;
        for (int i = 0; i < logits.Length; i++)
            Assert.True(Math.Abs(logits[i] * integer.OutputScale - finalRef![i]) <= 1e-6 * (1 + Math.Abs(finalRef[i])) + integer.OutputScale,
                $"logit {i}: {logits[i] * integer.OutputScale} vs {finalRef[i]}");
    }

    [ThreadStatic] private static double[]? ReferenceLogits;

    /// <summary>Codes entering each quantized layer (one array per layer) computed in double; sets <see cref="ReferenceLogits"/>.</summary>
    private static long[][] Reference(Module model, float[] x, int batch, out List<HashSet<int>> nearTies)
    {
        var leaves = ((Sequential)model).Layers;
        var codesPerLayer = new List<long[]>();
        nearTies = [];
        int[] shape = [2, 6, 6];
        double[] values = x.Select(v => (double)v).ToArray();
        bool quantizedInput = false;
        foreach (var leaf in leaves)
        {
            switch (leaf)
            {
                case QuantizableLayer layer:
                {
                    var aq = (ActivationQuantizer)layer.InputQuantizer!;
                    float clip = aq.Clip.ToArray()[0];
                    int n = aq.Config.Signed ? (1 << (aq.Config.Bits - 1)) - 1 : (1 << aq.Config.Bits) - 1;
                    int min = aq.Config.Signed ? -n : 0;
                    var codes = new long[values.Length];
                    var ties = new HashSet<int>();
                    double step = (double)clip / n;
                    for (int i = 0; i < values.Length; i++)
                    {
                        // The first layer quantizes float inputs exactly like the entrance; later layers see exact doubles.
                        double t = quantizedInput ? values[i] / step : (double)((float)values[i] * (1f / clip)) * n;
                        double frac = Math.Abs(t) - Math.Floor(Math.Abs(t));
                        if (quantizedInput && Math.Abs(frac - 0.5) < 1e-6) ties.Add(i);
                        codes[i] = (long)Math.Clamp(Math.Round(t, MidpointRounding.AwayFromZero), min, n);
                    }
                    codesPerLayer.Add(codes);
                    nearTies.Add(ties);
                    quantizedInput = true;
                    var xr = codes.Select(k => k * step).ToArray();
                    var wq = (RowWiseWeightQuantizer)layer.WeightQuantizer!;
                    var w = layer.Weight.ToArray();
                    var alpha = wq.Scale.ToArray();
                    int rows = layer.Rows, len = layer.RowLength;
                    var wr = new double[w.Length];
                    for (int r = 0; r < rows; r++)
                    {
                        var set = wq.Formats[r].Levels;
                        for (int j = 0; j < len; j++)
                            wr[r * len + j] = alpha[r] * set.NearestCode(w[r * len + j] * (1f / alpha[r])).Decode();
                    }
                    var b = layer.Bias!.ToArray();
                    if (layer is Conv2d conv)
                    {
                        int c = shape[0], h = shape[1], wd = shape[2], k = conv.KernelSize, p = conv.Padding;
                        var y = new double[batch * rows * h * wd];
                        for (int s = 0; s < batch; s++)
                            for (int o = 0; o < rows; o++)
                                for (int yy = 0; yy < h; yy++)
                                    for (int xx = 0; xx < wd; xx++)
                                    {
                                        double acc = b[o];
                                        for (int ci = 0; ci < c; ci++)
                                            for (int i = 0; i < k; i++)
                                                for (int j = 0; j < k; j++)
                                                {
                                                    int iy = yy + i - p, ix = xx + j - p;
                                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd)
                                                        acc += xr[((s * c + ci) * h + iy) * wd + ix] * wr[o * len + (ci * k + i) * k + j];
                                                }
                                        y[((s * rows + o) * h + yy) * wd + xx] = acc;
                                    }
                        values = y;
                        shape = [rows, h, wd];
                    }
                    else
                    {
                        var y = new double[batch * rows];
                        for (int s = 0; s < batch; s++)
                            for (int o = 0; o < rows; o++)
                            {
                                double acc = b[o];
                                for (int j = 0; j < len; j++) acc += xr[s * len + j] * wr[o * len + j];
                                y[s * rows + o] = acc;
                            }
                        values = y;
                        shape = [rows];
                    }
                    break;
                }
                case ReLU:
                    values = values.Select(v => Math.Max(v, 0)).ToArray();
                    break;
                case MaxPool2d:
                {
                    int c = shape[0], h = shape[1], wd = shape[2];
                    var y = new double[batch * c * (h / 2) * (wd / 2)];
                    for (int s = 0; s < batch; s++)
                        for (int ch = 0; ch < c; ch++)
                            for (int yy = 0; yy < h / 2; yy++)
                                for (int xx = 0; xx < wd / 2; xx++)
                                {
                                    int plane = (s * c + ch) * h * wd;
                                    y[((s * c + ch) * (h / 2) + yy) * (wd / 2) + xx] = new[]
                                    {
                                        values[plane + 2 * yy * wd + 2 * xx], values[plane + 2 * yy * wd + 2 * xx + 1],
                                        values[plane + (2 * yy + 1) * wd + 2 * xx], values[plane + (2 * yy + 1) * wd + 2 * xx + 1],
                                    }.Max();
                                }
                    values = y;
                    shape = [c, h / 2, wd / 2];
                    break;
                }
                case Flatten:
                    shape = [shape.Aggregate(1, (a, b) => a * b)];
                    break;
            }
        }
        ReferenceLogits = values;
        return [.. codesPerLayer];
    }

    [Fact]
    public void ConvertedModelPredictsLikeTheFakeQuantizedForward()
    {
        var model = IntegerTestModels.QuantizedConvNet("sp2-4:40,fixed-4:30,pot-4:10,fixed-8:10,sp2-8:10", 9);
        var (integer, _) = IntegerConverter.Convert(model, new ModelSpec("convnet", [2, 6, 6], 3), "test");
        var rng = new Random(19);
        int batch = 500;
        var x = IntegerTestModels.RandomInputs(rng, batch * 72);
        float[] fake;
        using (GradMode.NoGrad()) fake = model.Forward(Tensor.FromArray(x, batch, 2, 6, 6)).ToArray();
        var predictions = new IntegerEngine(integer).Predict(x, batch);
        int identical = 0;
        float scale = fake.Max(MathF.Abs);
        for (int i = 0; i < batch; i++)
        {
            var row = fake.AsSpan(i * 3, 3);
            int best = row.IndexOf(row.ToArray().Max());
            if (best == predictions[i]) identical++;
            // A disagreement is only allowed where the float model itself is at a near-tie (float rounding decides it).
            else Assert.True(row[best] - row[predictions[i]] <= 1e-3f * scale, $"sample {i}: fake {row[best]} vs {row[predictions[i]]}");
        }
        Assert.True(identical >= batch * 99 / 100, $"{identical} of {batch} predictions identical");
    }

    [Fact]
    public void ResidualModelsAreRejectedWithOneLine()
    {
        var rng = new Random(1);
        var model = new Sequential(new Residual(new Linear(4, 4, rng)), new Linear(4, 2, rng));
        var e = Assert.Throws<MixQException>(() => IntegerConverter.Convert(model, new ModelSpec("r", [4], 2), "test"));
        Assert.Contains("residual", e.Message);
    }
}
