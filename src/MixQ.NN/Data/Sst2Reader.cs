namespace MixQ.NN.Data;

/// <summary>
/// Reader for the GLUE SST-2 sentiment files: a header row naming the columns <c>sentence</c> and <c>label</c>
/// (tab-separated), then one sentence per line with label 0 (negative) or 1 (positive). The vocabulary comes
/// from the training split only, so test words unseen in training are &lt;unk&gt;, as at deployment.
/// </summary>
public static class Sst2Reader
{
    public static readonly IReadOnlyList<string> ClassNames = ["negative", "positive"];

    public static DataSplit Read(string trainPath, string testPath, TextOptions? options = null)
    {
        options ??= new TextOptions();
        if (options.MaxLength < 1) throw new MixQException($"sequence length must be at least 1, got {options.MaxLength}");
        var train = ReadRows(trainPath);
        var test = ReadRows(testPath);
        var vocabulary = Vocabulary.Build(train.Select(r => r.Tokens), options.MinFrequency, options.MaxVocabulary);
        return new DataSplit(
            Encode("sst2-train", train, vocabulary, options.MaxLength),
            Encode("sst2-test", test, vocabulary, options.MaxLength));
    }

    /// <summary>
    /// Lower-cased whitespace-separated words. SST-2 text is already tokenized (punctuation and clitics such as
    /// "'s" and "n't" stand apart), so splitting on whitespace reproduces its tokens exactly.
    /// </summary>
    public static string[] Tokenize(string sentence) =>
        sentence.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    internal static List<(string[] Tokens, int Label)> ReadRows(string path)
    {
        var rows = new List<(string[], int)>();
        int sentenceColumn = -1, labelColumn = -1, fieldCount = 0, lineNumber = 0;
        foreach (string line in DataFile.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                var header = line.Split('\t').Select(h => h.Trim().ToLowerInvariant()).ToArray();
                sentenceColumn = Array.IndexOf(header, "sentence");
                labelColumn = Array.IndexOf(header, "label");
                if (sentenceColumn < 0 || labelColumn < 0)
                    throw new MixQException($"{path}: line 1 must be a header naming the tab-separated columns 'sentence' and 'label'");
                fieldCount = header.Length;
                continue;
            }
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (fields.Length != fieldCount)
                throw new MixQException($"{path}: line {lineNumber} has {fields.Length} tab-separated fields, expected {fieldCount}");
            string label = fields[labelColumn].Trim();
            if (label is not ("0" or "1"))
                throw new MixQException($"{path}: line {lineNumber}: label '{label}' is not 0 or 1");
            rows.Add((Tokenize(fields[sentenceColumn]), label[0] - '0'));
        }
        if (lineNumber == 0) throw new MixQException($"{path}: file is empty");
        if (rows.Count == 0) throw new MixQException($"{path}: contains no sentences after the header");
        return rows;
    }

    private static Dataset Encode(string name, List<(string[] Tokens, int Label)> rows, Vocabulary vocabulary, int length)
    {
        var ids = new float[rows.Count * length];
        var labels = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            vocabulary.Encode(rows[i].Tokens, ids.AsSpan(i * length, length));
            labels[i] = rows[i].Label;
        }
        return new Dataset(name, ids, labels, [length], 2, DatasetKind.Text, vocabulary, ClassNames);
    }
}
