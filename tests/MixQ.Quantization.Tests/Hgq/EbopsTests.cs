using MixQ.NN.Layers;
using MixQ.Quantization.Hgq;
using MixQ.Tensors;

namespace MixQ.Quantization.Tests.Hgq;

/// <summary>EBOPs: exact integer count against a brute-force reference and the differentiable count against it.</summary>
public sealed class EbopsTests
{
    /// <summary>Brute force from the definition: walk the forward pass, one multiplication at a time.</summary>
    private static long BruteForce(HgqLayer layer) => BruteForce(layer, out _);

    private static long BruteForce(HgqLayer layer, out long multiplications)
    {
        multiplications = 0;
        var a = layer.Input.ElementBitCounts();
        var w = layer.Weight.ElementBitCounts(layer.Layer.Weight);
        long total = 0;
        if (layer.Layer is Linear linear)
        {
            for (int o = 0; o < linear.OutFeatures; o++)
                for (int i = 0; i < linear.InFeatures; i++) total += a[i] * w[o * linear.InFeatures + i];
            multiplications = (long)linear.OutFeatures * linear.InFeatures;
            return total;
        }
        var conv = (Conv2d)layer.Layer;
        var s = layer.Input.ElementShape.ToArray();
        int h = s[1], wd = s[2], k = conv.KernelSize;
        int oh = (h + 2 * conv.Padding - k) / conv.Stride + 1, ow = (wd + 2 * conv.Padding - k) / conv.Stride + 1;
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        for (int co = 0; co < conv.OutChannels; co++)
        for (int ci = 0; ci < conv.InChannels; ci++)
        for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
        {
            int y = oy * conv.Stride + ky - conv.Padding, x = ox * conv.Stride + kx - conv.Padding;
            if (y < 0 || y >= h || x < 0 || x >= wd) continue; // a padded zero is no multiplication
            multiplications++;
            total += a[(ci * h + y) * wd + x] * w[((co * conv.InChannels + ci) * k + ky) * k + kx];
        }
        return total;
    }

    [Fact]
    public void ExactAndDifferentiableEbopsEqualTheBruteForceCountForDenseAndConvLayers()
    {
        var rng = new Random(11);
        var model = HgqTestModels.ConvNet(rng);
        var x = Tensor.RandN(rng, 1f, 16, 1, 8, 8);
        HgqModel.Attach(model, HgqTestModels.Weights(), HgqTestModels.Activations(), x);
        HgqTestModels.RandomiseBits(model, rng, -1, 6);
        HgqModel.Calibrate(model, [x]);
        foreach (var layer in HgqModel.Layers(model))
        {
            long expected = BruteForce(layer, out long multiplications);
            Assert.True(expected > 0);
            Assert.Equal(multiplications, layer.Multiplications);
            Assert.Equal(expected, Ebops.Exact(layer));
            Assert.Equal(expected, (long)Ebops.Differentiable(layer).Item());
        }
    }

    [Fact]
    public void HandComputedDenseExample()
    {
        // One input with range [0, 3] and f = 1: unsigned, i = ceil(log2 3.5) = 2, width 3.
        // Weights 0.5 (f = 3 -> code 4 = 100b, span 1) and 0.75 (code 6 = 110b, span 2): EBOPs = 3 * 1 + 3 * 2 = 9.
        var layer = new Linear(Tensor.FromArray([0.5f, 0.75f], 2, 1), null);
        var cfg = new HgqQuantizerConfig { Granularity = HgqGranularity.Element };
        layer.AttachQuantizers(new HgqQuantizer(HgqRole.Weight, [2, 1], cfg with { InitialFractionalBits = 3 }),
            new HgqQuantizer(HgqRole.Activation, [1], cfg with { InitialFractionalBits = 1 }));
        layer.Forward(Tensor.FromArray([0f, 3f], 2, 1));
        var hgq = new HgqLayer("fc", layer, (HgqQuantizer)layer.WeightQuantizer!, (HgqQuantizer)layer.InputQuantizer!);
        Assert.Equal(9, Ebops.Exact(hgq));
        Assert.Equal(2, hgq.Multiplications);
    }

    [Fact]
    public void EbopsGradientOfAnActivationsBitsIsTheSumOfTheWeightBitsItMultiplies()
    {
        var rng = new Random(12);
        var model = HgqTestModels.Mlp(rng);
        var x = Tensor.RandN(rng, 1f, 32, 10);
        HgqModel.Attach(model, HgqTestModels.Weights(), HgqTestModels.Activations(), x);
        HgqModel.Calibrate(model, [x]);
        var layer = HgqModel.Layers(model)[0];
        Ebops.Differentiable(layer).Backward();
        var w = layer.Weight.ElementBitCounts(layer.Layer.Weight);
        var a = layer.Input.ElementBitCounts();
        var da = layer.Input.FractionalBits.Grad!.ToArray();
        var dw = layer.Weight.FractionalBits.Grad!.ToArray();
        for (int i = 0; i < 10; i++)
        {
            float expected = a[i] > 0 ? Enumerable.Range(0, 8).Sum(o => w[o * 10 + i]) : 0;
            Assert.Equal(expected, da[i]);
        }
        for (int o = 0; o < 8; o++)
            for (int i = 0; i < 10; i++) Assert.Equal(w[o * 10 + i] > 0 ? a[i] : 0, dw[o * 10 + i]);
    }
}
