namespace MixQ.NN.Data;

/// <summary>
/// Training-time image augmentation for [C, H, W] samples: a random crop of the image padded by
/// <see cref="CropPadding"/> pixels on each side (i.e. a random shift of up to that many pixels with the
/// uncovered border filled) and, when <see cref="HorizontalFlip"/> is set, a left-right mirror with probability 1/2.
/// </summary>
public sealed record Augmentation(int CropPadding = 0, bool HorizontalFlip = false)
{
    /// <summary>The standard CIFAR-10 recipe: pad 4, crop 32x32, flip.</summary>
    public static Augmentation Cifar { get; } = new(4, true);

    public bool IsIdentity => CropPadding == 0 && !HorizontalFlip;

    /// <summary>The crop offsets in [-pad, pad] and the flip decision for one sample's generator.</summary>
    internal (int OffsetY, int OffsetX, bool Flip) Draw(ref SeedMixer rng)
    {
        int span = 2 * CropPadding + 1;
        int dy = rng.NextInt(span) - CropPadding;
        int dx = rng.NextInt(span) - CropPadding;
        bool flip = HorizontalFlip && rng.NextBool();
        return (dy, dx, flip);
    }

    /// <summary>
    /// destination[c, y, x] = source[c, y + offsetY, x + offsetX], or fill[c] where that falls outside the image;
    /// then, if <paramref name="flip"/>, each row reversed. This equals cropping an H x W window at
    /// (pad + offsetY, pad + offsetX) from the padded image. Rows are moved with span copies.
    /// </summary>
    public static void CropAndFlip(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width,
        int offsetY, int offsetX, bool flip, ReadOnlySpan<float> fill)
    {
        int plane = height * width;
        if (source.Length != channels * plane || destination.Length != source.Length)
            throw new ArgumentException("source and destination must both hold channels x height x width values");
        if (fill.Length != channels) throw new ArgumentException("one fill value per channel is needed");
        // Columns x with 0 <= x + offsetX < width are copied; the rest are fill.
        int x0 = Math.Clamp(-offsetX, 0, width);
        int x1 = Math.Clamp(width - offsetX, x0, width);
        for (int c = 0; c < channels; c++)
        {
            var src = source.Slice(c * plane, plane);
            var dst = destination.Slice(c * plane, plane);
            for (int y = 0; y < height; y++)
            {
                var row = dst.Slice(y * width, width);
                int sy = y + offsetY;
                if ((uint)sy >= (uint)height)
                {
                    row.Fill(fill[c]);
                    continue;
                }
                row[..x0].Fill(fill[c]);
                src.Slice(sy * width + x0 + offsetX, x1 - x0).CopyTo(row[x0..x1]);
                row[x1..].Fill(fill[c]);
                if (flip) row.Reverse();
            }
        }
    }
}
