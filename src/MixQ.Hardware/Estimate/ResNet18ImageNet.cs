using MixQ.Quantization.Plans;

namespace MixQ.Hardware.Estimate;

/// <summary>
/// The layer shapes of ResNet-18 on 224x224 ImageNet images (He et al. 2016, table 1; the torchvision layout with
/// 1x1 stride-2 projection shortcuts): written out as a table for shape analysis only — no weights, no data.
/// Stem conv 7x7/2 to 112x112, max-pool 3x3/2 to 56x56, four stages of two basic blocks at 64/128/256/512 channels
/// and 56/28/14/7 pixels, global average pool, fc 512 to 1000.
/// </summary>
public static class ResNet18ImageNet
{
    public static IReadOnlyList<LayerShape> Shapes()
    {
        var layers = new List<LayerShape> { Conv("conv1", 3, 64, 7, 112, 224) };
        int inChannels = 64;
        int[] channels = [64, 128, 256, 512];
        int[] size = [56, 28, 14, 7];
        for (int stage = 0; stage < 4; stage++)
        {
            for (int block = 0; block < 2; block++)
            {
                string prefix = $"layer{stage + 1}.{block}";
                int c = channels[stage];
                // The first block of stages 2-4 halves the resolution: its input is twice the output size.
                int inSize = block == 0 && stage > 0 ? 2 * size[stage] : size[stage];
                layers.Add(Conv($"{prefix}.conv1", inChannels, c, 3, size[stage], inSize));
                layers.Add(Conv($"{prefix}.conv2", c, c, 3, size[stage], size[stage]));
                if (block == 0 && inChannels != c) layers.Add(Conv($"{prefix}.downsample", inChannels, c, 1, size[stage], inSize));
                inChannels = c;
            }
        }
        layers.Add(new LayerShape("fc", LayerKind.Linear, 1000, 512, 1, 512));
        return layers;
    }

    private static LayerShape Conv(string name, int inChannels, int outChannels, int kernel, int outSize, int inSize) =>
        new(name, LayerKind.Conv2d, outChannels, inChannels * kernel * kernel, (long)outSize * outSize, (long)inChannels * inSize * inSize);
}
