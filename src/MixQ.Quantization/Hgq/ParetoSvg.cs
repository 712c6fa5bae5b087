using System.Globalization;
using System.Text;

namespace MixQ.Quantization.Hgq;

/// <summary>
/// A small self-contained SVG plot of test accuracy against EBOPs (log scale): every evaluated checkpoint in grey,
/// the Pareto front in blue joined by a staircase. Deterministic text (invariant culture, fixed precision).
/// </summary>
public static class ParetoSvg
{
    private const int Width = 640, Height = 420, Left = 70, Right = 20, Top = 40, Bottom = 50;

    public static string Render(IReadOnlyList<ParetoPoint> front, IReadOnlyList<ParetoPoint> evaluated, string title)
    {
        var all = evaluated.Concat(front).Where(p => p.Ebops > 0).ToList();
        double minX = all.Count == 0 ? 1 : Math.Log10(all.Min(p => p.Ebops)), maxX = all.Count == 0 ? 10 : Math.Log10(all.Max(p => p.Ebops));
        minX = Math.Floor(minX * 2) / 2; maxX = Math.Ceiling(maxX * 2) / 2;
        if (maxX - minX < 0.5) maxX = minX + 0.5;
        double minY = all.Count == 0 ? 0 : all.Min(p => p.TestAccuracy), maxY = all.Count == 0 ? 1 : all.Max(p => p.TestAccuracy);
        minY = Math.Floor(minY * 100 - 0.5) / 100; maxY = Math.Min(1, Math.Ceiling(maxY * 100 + 0.5) / 100);
        if (maxY - minY < 0.01) minY = maxY - 0.01;

        double X(long ebops) => Left + (Math.Log10(Math.Max(ebops, 1)) - minX) / (maxX - minX) * (Width - Left - Right);
        double Y(double acc) => Height - Bottom - (acc - minY) / (maxY - minY) * (Height - Top - Bottom);
        static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n");
        // Axes, decade ticks on x, percent ticks on y.
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n");
        for (double d = Math.Ceiling(minX * 2) / 2; d <= maxX + 1e-9; d += 0.5)
        {
            double x = Left + (d - minX) / (maxX - minX) * (Width - Left - Right);
            string label = d == Math.Floor(d) ? $"1e{d:0}" : $"{Math.Pow(10, d):0.0e0}";
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{Height - Bottom}\" x2=\"{F(x)}\" y2=\"{Height - Bottom + 5}\" stroke=\"black\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{label}</text>\n");
        }
        int steps = 5;
        for (int i = 0; i <= steps; i++)
        {
            double acc = minY + (maxY - minY) * i / steps, y = Y(acc);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 5}\" y1=\"{F(y)}\" x2=\"{Left}\" y2=\"{F(y)}\" stroke=\"black\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{acc * 100:0.0}%</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">EBOPs (log scale)</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(Top + Height - Bottom) / 2})\">test accuracy</text>\n");
        foreach (var p in evaluated.Where(p => p.Ebops > 0))
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(p.Ebops))}\" cy=\"{F(Y(p.TestAccuracy))}\" r=\"3\" fill=\"#bbbbbb\"/>\n");
        var ordered = front.Where(p => p.Ebops > 0).OrderBy(p => p.Ebops).ToList();
        if (ordered.Count > 1)
        {
            var path = new StringBuilder($"M{F(X(ordered[0].Ebops))},{F(Y(ordered[0].TestAccuracy))}");
            for (int i = 1; i < ordered.Count; i++)
                path.Append(CultureInfo.InvariantCulture, $" H{F(X(ordered[i].Ebops))} V{F(Y(ordered[i].TestAccuracy))}");
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n");
        }
        foreach (var p in ordered)
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(p.Ebops))}\" cy=\"{F(Y(p.TestAccuracy))}\" r=\"4\" fill=\"#1f77b4\"><title>epoch {p.Epoch}: {p.TestAccuracy * 100:0.00}% at {p.Ebops} EBOPs</title></circle>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
