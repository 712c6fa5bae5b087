using System.CommandLine;
using MixQ.Quantization.Plans;

namespace MixQ.Cli.Commands;

/// <summary>`mixq plan show PATH`: per-layer format counts and average weight bits of a plan file.</summary>
public static class PlanCommand
{
    public static Command Build()
    {
        var path = new Argument<string>("path") { Description = "A plan.json written by mixq quantize" };
        var show = new Command("show", "Print a plan's per-layer format counts and average weight bits") { path };
        show.SetAction(parse =>
        {
            string file = parse.GetRequiredValue(path);
            if (!File.Exists(file)) throw new MixQException($"plan {file} does not exist");
            foreach (var line in PlanSummary.Of(QuantizationPlan.Load(file)).Render()) Console.WriteLine(line);
            return 0;
        });
        return new Command("plan", "Inspect quantization plans") { show };
    }
}
