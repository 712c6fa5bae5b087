using MixQ.Quantization.Hgq;

namespace MixQ.Quantization.Tests.Hgq;

public sealed class ParetoFrontTests
{
    [Fact]
    public void TheFrontAfterAnyOrderOfOffersEqualsTheBruteForceFront()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 50; trial++)
        {
            var points = Enumerable.Range(0, 40)
                .Select(i => new ParetoPoint(i, 0, rng.Next(80, 100) / 100.0, rng.Next(1, 30) * 1000L, 0, null)).ToList();
            var front = new ParetoFront();
            var kept = new HashSet<int>();
            foreach (var p in points)
            {
                var (joined, removed) = front.Offer(p);
                if (joined) kept.Add(p.Epoch);
                foreach (var r in removed) Assert.True(kept.Remove(r.Epoch));
            }
            // Brute force: not dominated by any point; among equal points the first one offered stays.
            var expected = points.Where((p, i) =>
                !points.Any(q => q.Dominates(p)) &&
                !points.Take(i).Any(q => q.Ebops == p.Ebops && q.TestAccuracy == p.TestAccuracy)).Select(p => p.Epoch).ToHashSet();
            Assert.Equal(expected, front.Points.Select(p => p.Epoch).ToHashSet());
            Assert.Equal(expected, kept);
            var ordered = front.Points;
            for (int i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].Ebops > ordered[i - 1].Ebops);
                Assert.True(ordered[i].TestAccuracy > ordered[i - 1].TestAccuracy);
            }
        }
    }

    [Fact]
    public void FilesHoldTheFrontAsCsvJsonAndSvg()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mixq-pareto-" + Guid.NewGuid().ToString("N"));
        try
        {
            var front = new[] { new ParetoPoint(1, 1e-7, 0.95, 1000, 0.1, "a"), new ParetoPoint(3, 1e-6, 0.97, 5000, 0.05, "b") };
            ParetoFiles.Write(dir, front, front, "test <plot>");
            var csv = File.ReadAllLines(Path.Combine(dir, ParetoFiles.CsvName));
            Assert.Equal("epoch,beta,test_accuracy,ebops,pruned_weights,checkpoint", csv[0]);
            Assert.Equal("1,1E-07,0.95,1000,0.1,a", csv[1]);
            Assert.Equal(3, csv.Length);
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, ParetoFiles.JsonName)));
            var pareto = json.RootElement.GetProperty("pareto");
            Assert.Equal(2, pareto.GetArrayLength());
            Assert.Equal(5000, pareto[1].GetProperty("ebops").GetInt64());
            var svg = System.Xml.Linq.XDocument.Parse(File.ReadAllText(Path.Combine(dir, ParetoFiles.SvgName)));
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Equal(4, svg.Descendants().Count(e => e.Name.LocalName == "circle")); // 2 evaluated + 2 front
            Assert.Contains("test &lt;plot&gt;", File.ReadAllText(Path.Combine(dir, ParetoFiles.SvgName)));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
