using MixQ.NN.Data;

namespace MixQ.NN.Tests.Data;

public class TableReaderTests
{
    [Fact]
    public void CsvWithHeaderAndLastColumnLabel()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("iris.csv", "a,b,c,species\n1.5,2,-3e-1,0\n\n4,5.25,6,2\n");

        var data = TableReader.Read(path);

        Assert.Equal([3], data.SampleShape);
        Assert.Equal(DatasetKind.Table, data.Kind);
        Assert.Equal([1.5f, 2f, -0.3f, 4f, 5.25f, 6f], data.Features);
        Assert.Equal([0, 2], data.Labels);
        Assert.Equal(3, data.NumClasses);
    }

    [Fact]
    public void TsvWithoutHeaderAndFirstColumnLabel()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("t.tsv", "1\t0.5\t0.25\n0\t7\t8\n");
        var data = TableReader.Read(path, new TableOptions { LabelColumn = 0 });
        Assert.Equal([0.5f, 0.25f, 7f, 8f], data.Features);
        Assert.Equal([1, 0], data.Labels);
    }

    [Fact]
    public void DelimiterIsSniffedForUnknownExtensionsAndGzipIsRead()
    {
        using var dir = new TempDir();
        string path = dir.Write("table.dat", System.Text.Encoding.UTF8.GetBytes("x\ty\tlabel\n1\t2\t1\n"), gzip: true);
        var data = TableReader.Read(path);
        Assert.Equal([1f, 2f], data.Features);
        Assert.Equal([1], data.Labels);
    }

    [Fact]
    public void LabelColumnByNameAndQuotedFields()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("q.csv", "\"class\",\"w\"\n\"3\",\" 9.5 \"\n");
        var data = TableReader.Read(path, new TableOptions { LabelName = "CLASS" });
        Assert.Equal([9.5f], data.Features);
        Assert.Equal([3], data.Labels);
    }

    [Fact]
    public void HeaderWithOtherFieldCountIsAccepted()
    {
        // scikit-learn's bundled CSVs start with "n_samples,n_features,class names".
        using var dir = new TempDir();
        string path = dir.WriteText("bc.csv", "2,3,malignant,benign\n1,2,3,0\n4,5,6,1\n");
        Assert.Equal(2, TableReader.Read(path).Count);
    }

    [Fact]
    public void RaggedRowNamesTheLine()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("ragged.csv", "a,b,label\n1,2,0\n3,4,1\n5,6\n");
        AssertError.Names("ragged.csv", () => TableReader.Read(path), "line 4", "2 fields", "expected 3");
    }

    [Fact]
    public void NonNumericFieldNamesLineAndColumn()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("text.csv", "a,b,label\n1,2,0\n3,abc,1\n");
        AssertError.Names("text.csv", () => TableReader.Read(path), "line 3", "column 2", "'abc'");
    }

    [Fact]
    public void ForcedNoHeaderMakesAWordAnError()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("nohead.csv", "a,b,label\n1,2,0\n");
        AssertError.Names("nohead.csv", () => TableReader.Read(path, new TableOptions { HasHeader = false }), "line 1", "column 1");
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-1")]
    [InlineData("cat")]
    public void LabelMustBeAClassIndex(string label)
    {
        using var dir = new TempDir();
        string path = dir.WriteText("labels.csv", $"1,2,0\n3,4,{label}\n");
        AssertError.Names("labels.csv", () => TableReader.Read(path, new TableOptions { HasHeader = false }), "line 2", "column 3", "label");
    }

    [Fact]
    public void LabelAboveGivenClassCount()
    {
        using var dir = new TempDir();
        string path = dir.WriteText("few.csv", "1,2\n3,5\n");
        AssertError.Names("few.csv", () => TableReader.Read(path, new TableOptions { NumClasses = 3 }), "line 2", "label 5", "0..2");
    }

    [Fact]
    public void UnknownLabelNameAndEmptyFile()
    {
        using var dir = new TempDir();
        string named = dir.WriteText("named.csv", "a,b\n1,0\n");
        AssertError.Names("named.csv", () => TableReader.Read(named, new TableOptions { LabelName = "target" }), "'target'");
        string empty = dir.WriteText("empty.csv", "a,b\n\n");
        AssertError.Names("empty.csv", () => TableReader.Read(empty), "no data rows");
    }
}
