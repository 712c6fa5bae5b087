using System.Globalization;
using System.Text;
using MixQ.NN.IO;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Vectors;

/// <summary>
/// Test vectors written by the integer engine: the input codes of each sample (after the entrance quantizer, in
/// [C, H, W] order) and the integer logits the engine computes for it — what a generated design must reproduce.
/// Files: vectors/inputs.txt and vectors/outputs.txt, one sample per line, values separated by single spaces.
/// </summary>
public sealed record TestVectors(int Count, int InputSize, int OutputSize, long[] Inputs, long[] Outputs)
{
    public const string Folder = "vectors";
    public const string InputsFile = "inputs.txt";
    public const string OutputsFile = "outputs.txt";

    /// <summary>Runs <paramref name="engine"/> on <paramref name="count"/> float samples and records codes and logits.</summary>
    public static TestVectors FromEngine(IntegerEngine engine, ReadOnlySpan<float> samples, int count)
    {
        var model = engine.Model;
        int inputSize = model.InputShape.Aggregate(1, (a, b) => a * b);
        var codes = new long[(long)count * inputSize];
        int filled = 0;
        var previous = engine.Trace;
        engine.Trace = (layer, values, n) =>
        {
            if (layer != -1) return;
            values.AsSpan(0, n * inputSize).CopyTo(codes.AsSpan(filled));
            filled += n * inputSize;
        };
        long[] logits;
        try { logits = engine.Logits(samples, count); }
        finally { engine.Trace = previous; }
        if (filled != codes.Length) throw new InvalidOperationException("the engine did not report every input code");
        return new TestVectors(count, inputSize, model.NumClasses, codes, logits);
    }

    public void Write(string designFolder)
    {
        string folder = Path.Combine(designFolder, Folder);
        Directory.CreateDirectory(folder);
        WriteTable(Path.Combine(folder, InputsFile), Inputs, InputSize);
        WriteTable(Path.Combine(folder, OutputsFile), Outputs, OutputSize);
    }

    public static TestVectors Read(string designFolder)
    {
        string folder = Path.Combine(designFolder, Folder);
        var inputs = ReadTable(Path.Combine(folder, InputsFile));
        var outputs = ReadTable(Path.Combine(folder, OutputsFile));
        if (inputs.Count != outputs.Count) throw new MixQException($"{folder}: {inputs.Count} input rows but {outputs.Count} output rows");
        if (inputs.Count == 0) throw new MixQException($"{folder}: no test vectors");
        return new TestVectors(inputs.Count, inputs[0].Length, outputs[0].Length,
            inputs.SelectMany(r => r).ToArray(), outputs.SelectMany(r => r).ToArray());
    }

    private static void WriteTable(string path, long[] values, int width)
    {
        var text = new StringBuilder();
        for (int r = 0; r < values.Length / width; r++)
        {
            for (int j = 0; j < width; j++)
            {
                if (j > 0) text.Append(' ');
                text.Append(values[r * width + j].ToString(CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    private static List<long[]> ReadTable(string path)
    {
        if (!File.Exists(path)) throw new MixQException($"test vector file {path} does not exist");
        var rows = new List<long[]>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            var row = new long[parts.Length];
            for (int j = 0; j < parts.Length; j++)
                if (!long.TryParse(parts[j], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out row[j]))
                    throw new MixQException($"{path}:{lineNo}: '{parts[j]}' is not an integer");
            if (rows.Count > 0 && row.Length != rows[0].Length) throw new MixQException($"{path}:{lineNo}: {row.Length} values, expected {rows[0].Length}");
            rows.Add(row);
        }
        return rows;
    }
}
