using MixQ.NN.Data;

namespace MixQ.NN.Tests.Data;

public class Sst2ReaderTests
{
    private const string Train =
        "sentence\tlabel\n" +
        "A good film \t1\n" +
        "a BAD film , bad\t0\n" +
        "good good fun\t1\n";

    private const string Dev =
        "sentence\tlabel\n" +
        "a great film\t1\n";

    [Fact]
    public void TokenizesLowerCasedWords() =>
        Assert.Equal(["it", "'s", "a", "charming", "film", "."], Sst2Reader.Tokenize("It 's a  charming\tfilm . "));

    [Fact]
    public void VocabularyFromTrainByFrequencyThenOrdinal()
    {
        using var dir = new TempDir();
        var (train, test) = Sst2Reader.Read(dir.WriteText("train.tsv", Train), dir.WriteText("dev.tsv", Dev),
            new TextOptions { MaxLength = 4 });

        // Counts: good 3; a, bad, film 2; ',' and fun 1. Ties break in ordinal order.
        var vocab = train.Vocabulary!;
        Assert.Equal(["<pad>", "<unk>", "good", "a", "bad", "film", ",", "fun"], vocab.Tokens);
        Assert.Same(vocab, test.Vocabulary);
        Assert.Equal([4], train.SampleShape);
        Assert.Equal(DatasetKind.Text, train.Kind);
        Assert.Equal(2, train.NumClasses);
        Assert.Equal([1, 0, 1], train.Labels);
        // "a good film" padded; "a bad film , bad" truncated to 4; "good good fun" padded.
        Assert.Equal([3f, 2, 5, 0, 3, 4, 5, 6, 2, 2, 7, 0], train.Features);
        // "great" never occurs in train: <unk>.
        Assert.Equal([3f, 1, 5, 0], test.Features);
        Assert.Equal([1], test.Labels);
    }

    [Fact]
    public void MinimumFrequencySendsRareWordsToUnknown()
    {
        using var dir = new TempDir();
        var (train, _) = Sst2Reader.Read(dir.WriteText("train.tsv", Train), dir.WriteText("dev.tsv", Dev),
            new TextOptions { MaxLength = 3, MinFrequency = 2 });
        Assert.Equal(["<pad>", "<unk>", "good", "a", "bad", "film"], train.Vocabulary!.Tokens);
        Assert.Equal([2f, 2, 1], train.Features.AsSpan(6, 3).ToArray());
    }

    [Fact]
    public void ColumnsAreFoundByHeaderName()
    {
        using var dir = new TempDir();
        string swapped = dir.WriteText("swapped.tsv", "label\tsentence\n0\tdull film\n");
        var (train, _) = Sst2Reader.Read(swapped, swapped);
        Assert.Equal([0], train.Labels);
        Assert.Equal("dull", train.Vocabulary!.TokenOf((int)train.Features[0]));
    }

    [Fact]
    public void MissingHeader()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("nohead.tsv", "a good film\t1\n");
        AssertError.Names("nohead.tsv", () => Sst2Reader.Read(path, path), "header");
    }

    [Fact]
    public void BadLabelNamesTheLine()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("badlabel.tsv", "sentence\tlabel\nfine\t1\nodd\tpositive\n");
        AssertError.Names("badlabel.tsv", () => Sst2Reader.Read(path, path), "line 3", "'positive'");
    }

    [Fact]
    public void WrongFieldCountNamesTheLine()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("fields.tsv", "sentence\tlabel\nfine\t1\nno label here\n");
        AssertError.Names("fields.tsv", () => Sst2Reader.Read(path, path), "line 3", "1 tab-separated fields");
    }
}
