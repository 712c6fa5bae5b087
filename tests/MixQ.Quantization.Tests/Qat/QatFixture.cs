using System.Globalization;
using System.Text;
using MixQ.NN.Training;

namespace MixQ.Quantization.Tests.Qat;

/// <summary>
/// A float MLP trained once on a small learnable CSV table (class = arg-max of the first three of eight features),
/// shared by the QAT tests. Written to a temp folder; training takes a few seconds.
/// </summary>
public sealed class QatFixture : IDisposable
{
    public QatFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "mixq-qat-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        var rng = new Random(5);
        WriteTable(Path.Combine(Folder, "train.csv"), 1500, rng);
        WriteTable(Path.Combine(Folder, "test.csv"), 500, rng);
        DataPath = Path.Combine(Folder, "train.csv");
        var result = new Trainer(new TrainConfig
        {
            Model = "mlp", Data = DataPath, Epochs = 6, BatchSize = 32, LearningRate = 0.05, OutDir = Path.Combine(Folder, "float"),
        }).Run();
        FloatAccuracy = result.TestAccuracy;
        FloatCheckpoint = result.CheckpointPath!;
    }

    public string Folder { get; }
    public string DataPath { get; }
    public string FloatCheckpoint { get; }
    public double FloatAccuracy { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private static void WriteTable(string path, int rows, Random rng)
    {
        var sb = new StringBuilder("a,b,c,d,e,f,g,h,label\n");
        for (int r = 0; r < rows; r++)
        {
            var f = Enumerable.Range(0, 8).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            int label = f[0] > f[1] ? (f[0] > f[2] ? 0 : 2) : (f[1] > f[2] ? 1 : 2);
            sb.AppendLine(string.Join(',', f.Select(v => v.ToString("F4", CultureInfo.InvariantCulture))) + "," + label);
        }
        File.WriteAllText(path, sb.ToString());
    }
}
