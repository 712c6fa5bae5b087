using MixQ.NN.Data;

namespace MixQ.NN.Tests.Data;

public class AugmentationTests
{
    // Channel 0 holds 1..9, channel 1 holds 10..18, each a row-major 3x3 plane.
    private static readonly float[] Image = Enumerable.Range(1, 18).Select(v => (float)v).ToArray();

    [Fact]
    public void CropShiftsAndFillsByHand()
    {
        var output = new float[18];
        Augmentation.CropAndFlip(Image, output, 2, 3, 3, offsetY: 1, offsetX: -1, flip: false, fill: [0f, -1f]);
        // out[y, x] = in[y + 1, x - 1]: row 0 = [fill, 4, 5], row 1 = [fill, 7, 8], row 2 = fill.
        Assert.Equal([0, 4, 5, 0, 7, 8, 0, 0, 0, -1, 13, 14, -1, 16, 17, -1, -1, -1], output);
    }

    [Fact]
    public void FlipMirrorsEachRowAfterTheCrop()
    {
        var output = new float[18];
        Augmentation.CropAndFlip(Image, output, 2, 3, 3, offsetY: 1, offsetX: -1, flip: true, fill: [0f, -1f]);
        Assert.Equal([5, 4, 0, 8, 7, 0, 0, 0, 0, 14, 13, -1, 17, 16, -1, -1, -1, -1], output);

        Augmentation.CropAndFlip(Image, output, 2, 3, 3, 0, 0, flip: true, fill: [0f, 0f]);
        Assert.Equal([3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10, 15, 14, 13, 18, 17, 16], output);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(0, -3)]
    [InlineData(-7, 9)]
    public void ShiftsBeyondTheImageGiveOnlyFill(int dy, int dx)
    {
        var output = new float[18];
        Augmentation.CropAndFlip(Image, output, 2, 3, 3, dy, dx, flip: false, fill: [0.5f, 0.5f]);
        Assert.All(output, v => Assert.Equal(0.5f, v));
    }

    /// <summary>Independent twin: pad the image explicitly, cut the window, mirror it pixel by pixel.</summary>
    private static float[] PadCropFlipReference(float[] image, int c, int h, int w, int pad, int dy, int dx, bool flip, float[] fill)
    {
        int ph = h + 2 * pad, pw = w + 2 * pad;
        var padded = new float[c * ph * pw];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < ph; y++)
                for (int x = 0; x < pw; x++)
                {
                    int sy = y - pad, sx = x - pad;
                    bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                    padded[(ch * ph + y) * pw + x] = inside ? image[(ch * h + sy) * w + sx] : fill[ch];
                }
        var output = new float[c * h * w];
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int sx = flip ? w - 1 - x : x;
                    output[(ch * h + y) * w + x] = padded[(ch * ph + y + pad + dy) * pw + sx + pad + dx];
                }
        return output;
    }

    [Fact]
    public void MatchesExplicitPaddingOnOddSizes()
    {
        var rng = new Random(5);
        const int c = 3, h = 7, w = 5, pad = 3;
        var image = Enumerable.Range(0, c * h * w).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] fill = [-1f, -2f, -3f];
        var output = new float[image.Length];
        for (int dy = -pad; dy <= pad; dy++)
            for (int dx = -pad; dx <= pad; dx++)
                foreach (bool flip in new[] { false, true })
                {
                    Augmentation.CropAndFlip(image, output, c, h, w, dy, dx, flip, fill);
                    Assert.Equal(PadCropFlipReference(image, c, h, w, pad, dy, dx, flip, fill), output);
                }
    }

    [Fact]
    public void DrawsCoverEveryOffsetAndFlipAboutHalf()
    {
        var augmentation = new Augmentation(CropPadding: 2, HorizontalFlip: true);
        var seen = new HashSet<(int, int)>();
        int flips = 0;
        const int draws = 4000;
        for (int i = 0; i < draws; i++)
        {
            var rng = new SeedMixer(SeedMixer.Mix(1, 2, (ulong)i));
            var (dy, dx, flip) = augmentation.Draw(ref rng);
            Assert.InRange(dy, -2, 2);
            Assert.InRange(dx, -2, 2);
            seen.Add((dy, dx));
            if (flip) flips++;
        }
        Assert.Equal(25, seen.Count);
        // Binomial(4000, 1/2) has standard deviation ~32; 200 is over six of them.
        Assert.InRange(flips, draws / 2 - 200, draws / 2 + 200);
    }
}
