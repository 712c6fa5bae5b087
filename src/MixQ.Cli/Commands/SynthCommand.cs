using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.Codegen.Design;
using MixQ.Codegen.Synthesis;
using Spectre.Console;

namespace MixQ.Cli.Commands;

/// <summary>`mixq synth`: yosys synthesis of a generated design, per layer and in total, next to the cost model's prediction.</summary>
public static class SynthCommand
{
    public static Command Build()
    {
        var design = new Option<string>("--design") { Description = "A design folder written by mixq generate", Required = true };
        var family = new Option<string>("--family") { Description = "FPGA family for synth_xilinx: xc7 or xcup", DefaultValueFactory = _ => "xc7" };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line" };
        var reuse = new Option<bool>("--reuse")
        {
            Description = "Compare the statistics of the last synthesis (synth-FAMILY/stat.json, or each module's with --modules/--jobs) with the current prediction instead of running yosys again",
        };
        var modules = new Option<string?>("--modules")
        {
            Description = "Unrolled designs: synthesize only these modules (comma-separated, e.g. mixq_s0_conv,mixq_s2_conv), each on its own",
        };
        var jobs = new Option<int?>("--jobs")
        {
            Description = "Unrolled designs: synthesize module by module with up to N yosys processes at once (same counts as a whole-design run)",
        };
        var command = new Command("synth", "Synthesize a generated design with yosys and compare with the cost model") { design, family, json, reuse, modules, jobs };
        command.SetAction(parse =>
        {
            string dir = parse.GetRequiredValue(design);
            string fam = parse.GetValue(family)!.Trim().ToLowerInvariant();
            if (!DesignSynthesis.Families.Contains(fam)) throw new MixQException($"--family must be xc7 or xcup, got '{parse.GetValue(family)}'");
            string[]? only = parse.GetValue(modules) is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
            int? jobCount = parse.GetValue(jobs);
            bool perModule = only is not null || jobCount is not null;
            var manifest = DesignManifest.Read(dir);
            var prediction = CostPrediction.Read(dir);
            var (report, elapsed) = perModule ? DesignSynthesis.RunModules(dir, fam, only, jobCount ?? 1, reuse: parse.GetValue(reuse))
                : parse.GetValue(reuse) ? DesignSynthesis.Reuse(dir, fam)
                : DesignSynthesis.Run(dir, fam);
            CostPrediction.FamilyPrediction? familyPrediction = null;
            prediction?.Families.TryGetValue(fam, out familyPrediction);
            var comparison = SynthesisComparison.Build(manifest, report, familyPrediction, only);
            Print(ReportConsole.Create(), manifest, fam, familyPrediction, comparison, elapsed);
            if (parse.GetValue(json)) JsonLine.Write(ToJson(manifest, fam, familyPrediction, comparison, elapsed));
            return 0;
        });
        return command;
    }

    private static void Print(IAnsiConsole console, DesignManifest m, string family, CostPrediction.FamilyPrediction? p,
        SynthesisComparison c, TimeSpan elapsed)
    {
        console.WriteLine($"{m.Model} ({m.Method}), {m.Architecture} design, yosys synth_xilinx -family {family} ({elapsed.TotalSeconds:F0} s, {c.Rows.Count} of {m.Modules.Count} modules)" +
                          (p is null ? "; no cost-model prediction in the design folder" : $"; prediction for {p.Device}"));
        var table = new Table().AddColumn("module").AddColumn("layers");
        foreach (string h in new[] { "LUT", "FF", "DSP", "BRAM36", "CARRY", "pred LUT", "pred FF", "pred DSP", "pred BRAM36", "LUT error" })
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var row in c.Rows.Append(c.Total))
        {
            var s = row.Synthesized;
            var q = row.Predicted;
            table.AddRow(row.Module, row.Layers, N(s.Luts), N(s.FlipFlops), N(s.Dsps), N(s.Bram36), N(s.Carry),
                q is null ? "-" : N(q.Luts), q is null ? "-" : N(q.FlipFlops), q is null ? "-" : N(q.Dsps), q is null ? "-" : N(q.Bram36),
                row.LutError is { } e ? e.ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture) : "-");
        }
        console.Write(table);
        if (!c.Comparable)
            console.WriteLine("note: the cost model's gemm estimate sizes its own engine for the device (partition optimizer), not this design's lanes: shown for reference, no error computed");
    }

    private static string N(double v) => v.ToString(v == Math.Floor(v) ? "N0" : "N1", CultureInfo.InvariantCulture);

    private static JsonObject ToJson(DesignManifest m, string family, CostPrediction.FamilyPrediction? p, SynthesisComparison c, TimeSpan elapsed)
    {
        JsonObject Row(SynthesisComparison.Row r) => new()
        {
            ["module"] = r.Module,
            ["layers"] = r.Layers,
            ["luts"] = r.Synthesized.Luts,
            ["ffs"] = r.Synthesized.FlipFlops,
            ["dsps"] = r.Synthesized.Dsps,
            ["bram36"] = r.Synthesized.Bram36,
            ["carry"] = r.Synthesized.Carry,
            ["predicted_luts"] = r.Predicted?.Luts,
            ["predicted_ffs"] = r.Predicted?.FlipFlops,
            ["predicted_dsps"] = r.Predicted?.Dsps,
            ["predicted_bram36"] = r.Predicted?.Bram36,
            ["lut_error"] = r.LutError,
        };
        return new JsonObject
        {
            ["model"] = m.Model,
            ["method"] = m.Method,
            ["architecture"] = m.Architecture,
            ["family"] = family,
            ["device"] = p?.Device,
            ["seconds"] = elapsed.TotalSeconds,
            ["layers"] = new JsonArray(c.Rows.Select(r => (JsonNode)Row(r)).ToArray()),
            ["total"] = Row(c.Total),
            ["prediction_comparable"] = c.Comparable,
            ["modules_synthesized"] = c.Rows.Count,
            ["modules"] = m.Modules.Count,
        };
    }
}
