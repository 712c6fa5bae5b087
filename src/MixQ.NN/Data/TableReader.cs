using System.Globalization;

namespace MixQ.NN.Data;

/// <summary>
/// Reader for numeric CSV/TSV tables (raw or gzip): every column but the label column becomes a feature, so a
/// sample has shape [F]. Errors name the file, the 1-based line and column.
/// </summary>
public static class TableReader
{
    public static Dataset Read(string path, TableOptions? options = null, string? name = null)
    {
        options ??= new TableOptions();
        char delimiter = options.Delimiter ?? DelimiterFromExtension(path) ?? '\0';
        var features = new List<float>();
        var labels = new List<int>();
        int fieldCount = -1, labelColumn = -1, lineNumber = 0;
        string[]? header = null;

        foreach (string rawLine in DataFile.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(rawLine)) continue;
            if (delimiter == '\0') delimiter = rawLine.Contains('\t') ? '\t' : ',';
            string[] fields = SplitFields(rawLine, delimiter);

            if (fieldCount < 0 && header is null && IsHeader(fields, options.HasHeader))
            {
                // The header's own field count is not enforced: scikit-learn's bundled CSVs put
                // "n_samples,n_features,class names..." there, which is shorter than the data rows.
                header = fields;
                continue;
            }
            if (fieldCount < 0)
            {
                fieldCount = fields.Length;
                if (fieldCount < 2) throw new MixQException($"{path}: line {lineNumber} has {fieldCount} field; a table needs features and a label");
                labelColumn = ResolveLabelColumn(path, options, header, fieldCount);
            }
            else if (fields.Length != fieldCount)
            {
                throw new MixQException($"{path}: line {lineNumber} has {fields.Length} fields, expected {fieldCount} like the first data row");
            }

            for (int c = 0; c < fields.Length; c++)
            {
                if (c == labelColumn) labels.Add(ParseLabel(path, lineNumber, c, fields[c], options.NumClasses));
                else features.Add(ParseNumber(path, lineNumber, c, fields[c]));
            }
        }
        if (labels.Count == 0) throw new MixQException($"{path}: contains no data rows");

        int numClasses = options.NumClasses ?? labels.Max() + 1;
        return new Dataset(name ?? Path.GetFileName(path), features.ToArray(), labels.ToArray(), [fieldCount - 1],
            numClasses, DatasetKind.Table);
    }

    private static char? DelimiterFromExtension(string path)
    {
        string file = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        string extension = Path.GetExtension(file).ToLowerInvariant();
        return extension switch { ".tsv" or ".tab" => '\t', ".csv" => ',', _ => null };
    }

    private static string[] SplitFields(string line, char delimiter)
    {
        var fields = line.Split(delimiter);
        for (int i = 0; i < fields.Length; i++)
        {
            var f = fields[i].Trim();
            if (f.Length >= 2 && f[0] == '"' && f[^1] == '"') f = f[1..^1].Trim();
            fields[i] = f;
        }
        return fields;
    }

    private static bool IsHeader(string[] fields, bool? hasHeader) =>
        hasHeader ?? fields.Any(f => !TryParse(f, out _));

    private static int ResolveLabelColumn(string path, TableOptions options, string[]? header, int fieldCount)
    {
        if (options.LabelName is string name)
        {
            if (header is null) throw new MixQException($"{path}: label column '{name}' asked by name, but the file has no header row");
            int index = Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
            if (index < 0) throw new MixQException($"{path}: no column named '{name}' in the header ({string.Join(", ", header)})");
            if (index >= fieldCount) throw new MixQException($"{path}: column '{name}' is column {index + 1} but the rows have {fieldCount} fields");
            return index;
        }
        int column = options.LabelColumn < 0 ? fieldCount + options.LabelColumn : options.LabelColumn;
        if (column < 0 || column >= fieldCount)
            throw new MixQException($"{path}: label column {options.LabelColumn} does not exist in rows of {fieldCount} fields");
        return column;
    }

    private static bool TryParse(string field, out float value) =>
        float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static float ParseNumber(string path, int line, int column, string field)
    {
        if (!TryParse(field, out float value) || !float.IsFinite(value))
            throw new MixQException($"{path}: line {line}, column {column + 1}: '{Shorten(field)}' is not a finite number");
        return value;
    }

    private static int ParseLabel(string path, int line, int column, string field, int? numClasses)
    {
        if (!TryParse(field, out float value) || value < 0 || value != MathF.Floor(value) || value > 1_000_000)
            throw new MixQException($"{path}: line {line}, column {column + 1}: label '{Shorten(field)}' is not a class index (a non-negative integer)");
        int label = (int)value;
        if (numClasses is int n && label >= n)
            throw new MixQException($"{path}: line {line}, column {column + 1}: label {label} is outside 0..{n - 1}");
        return label;
    }

    private static string Shorten(string field) => field.Length <= 40 ? field : field[..37] + "...";
}
