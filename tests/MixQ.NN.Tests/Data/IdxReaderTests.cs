using MixQ.NN.Data;

namespace MixQ.NN.Tests.Data;

public class IdxReaderTests
{
    // Three 2x3 images with distinct pixels (image i, pixel p = 40*i + 7*p, within 0..255) and labels 2, 0, 9.
    private static readonly byte[] Pixels = Enumerable.Range(0, 3).SelectMany(i => Enumerable.Range(0, 6).Select(p => (byte)(40 * i + 7 * p))).ToArray();
    private static readonly byte[] LabelBytes = [2, 0, 9];

    [Theory]
    [InlineData(false, "images.idx", "labels.idx")]
    [InlineData(true, "images.idx", "labels.idx")]
    // gzip is detected by its magic bytes, so a misleading extension changes nothing either way.
    [InlineData(true, "images.raw", "labels.bin")]
    [InlineData(false, "images.gz", "labels.gz")]
    public void RoundTripsRawAndGzip(bool gzip, string imagesName, string labelsName)
    {
        using var dir = new TempDir();
        string images = dir.Write(imagesName, Idx.Images(3, 2, 3, Pixels), gzip);
        string labels = dir.Write(labelsName, Idx.Labels(LabelBytes), gzip);

        var data = IdxReader.Read(images, labels, "tiny");

        Assert.Equal([1, 2, 3], data.SampleShape);
        Assert.Equal(3, data.Count);
        Assert.Equal(10, data.NumClasses);
        Assert.Equal(DatasetKind.Image, data.Kind);
        Assert.Equal([2, 0, 9], data.Labels);
        Assert.Equal(Pixels.Select(b => (float)b).ToArray(), data.Features);
    }

    [Fact]
    public void ReadsPayloadsLargerThanOneChunk()
    {
        // 300x300 = 90000 bytes, more than the 64 KiB conversion chunk, so the chunk loop is exercised.
        using var dir = new TempDir();
        var pixels = Enumerable.Range(0, 90000).Select(i => (byte)(i * 31 % 251)).ToArray();
        var (values, count, rows, cols) = IdxReader.ReadImages(dir.Write("big.gz", Idx.Images(1, 300, 300, pixels), gzip: true));
        Assert.Equal((1, 300, 300), (count, rows, cols));
        Assert.Equal(pixels.Select(b => (float)b).ToArray(), values);
    }

    [Fact]
    public void MissingFile() =>
        AssertError.Names("nothere-idx3", () => IdxReader.ReadImages(Path.Combine(Path.GetTempPath(), "nothere-idx3")), "not found");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BadMagic(bool gzip)
    {
        using var dir = new TempDir();
        string path = dir.Write("weird", Idx.File(0x12345678, [3, 2, 3], Pixels), gzip);
        AssertError.Names("weird", () => IdxReader.ReadImages(path), "bad magic", "0x12345678");
    }

    [Fact]
    public void LabelsFileGivenAsImagesIsNamed()
    {
        using var dir = new TempDir();
        string path = dir.Write("labels-as-images", Idx.Labels(LabelBytes));
        AssertError.Names("labels-as-images", () => IdxReader.ReadImages(path), "bad magic", "labels file");
    }

    [Fact]
    public void WrongDimensionCountIsABadMagic()
    {
        // Magic 0x0804 says uint8 with 4 dimensions; an images file must have 3.
        using var dir = new TempDir();
        string path = dir.Write("four-d", Idx.File(0x0804, [3, 1, 2, 3], Pixels));
        AssertError.Names("four-d", () => IdxReader.ReadImages(path), "4 dimensions");
    }

    [Fact]
    public void EmptyImageSize()
    {
        using var dir = new TempDir();
        string path = dir.Write("zero-rows", Idx.Images(3, 0, 3, []));
        AssertError.Names("zero-rows", () => IdxReader.ReadImages(path), "empty");
    }

    [Fact]
    public void NegativeDimension()
    {
        using var dir = new TempDir();
        string path = dir.Write("negative", Idx.Images(-3, 2, 3, Pixels));
        AssertError.Names("negative", () => IdxReader.ReadImages(path), "negative dimension");
    }

    [Fact]
    public void HeaderCutShort()
    {
        using var dir = new TempDir();
        string path = dir.Write("short-header", Idx.Images(3, 2, 3, [])[..10]);
        AssertError.Names("short-header", () => IdxReader.ReadImages(path), "header");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PayloadShorterThanHeaderSays(bool gzip)
    {
        using var dir = new TempDir();
        string path = dir.Write("truncated", Idx.Images(3, 2, 3, Pixels[..17]), gzip);
        AssertError.Names("truncated", () => IdxReader.ReadImages(path), "truncated", "18 bytes", "has 17");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PayloadLongerThanHeaderSays(bool gzip)
    {
        using var dir = new TempDir();
        string path = dir.Write("too-long", Idx.Images(3, 2, 3, [.. Pixels, 1]), gzip);
        AssertError.Names("too-long", () => IdxReader.ReadImages(path), "longer than the header");
    }

    [Fact]
    public void TruncatedGzipStreamIsReportedNotSilent()
    {
        // Cut the compressed file itself in half: either the inflater complains or the payload comes up short.
        using var dir = new TempDir();
        var compressed = TempDir.Gzip(Idx.Images(3, 2, 3, Pixels));
        string path = dir.Write("cut.gz", compressed[..(compressed.Length / 2)]);
        AssertError.Names("cut.gz", () => IdxReader.ReadImages(path));
    }

    [Fact]
    public void LabelOutOfRange()
    {
        using var dir = new TempDir();
        string path = dir.Write("labels-bad", Idx.Labels([1, 10, 3]));
        AssertError.Names("labels-bad", () => IdxReader.ReadLabels(path, numClasses: 10), "label 10", "index 1", "0..9");
    }

    [Fact]
    public void ImagesAndLabelsCountMismatch()
    {
        using var dir = new TempDir();
        string images = dir.Write("imgs", Idx.Images(3, 2, 3, Pixels));
        string labels = dir.Write("lbls", Idx.Labels([1, 2]));
        var e = AssertError.Names("imgs", () => IdxReader.Read(images, labels, "x"), "3 images", "2 labels");
        Assert.Contains("lbls", e.Message);
    }

    [Fact]
    public void InfersClassCountWhenAsked()
    {
        using var dir = new TempDir();
        string images = dir.Write("i", Idx.Images(3, 2, 3, Pixels));
        string labels = dir.Write("l", Idx.Labels([4, 25, 0]));
        Assert.Equal(26, IdxReader.Read(images, labels, "letters", numClasses: null).NumClasses);
    }
}
