using System.CommandLine;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.Quantization.Integer;

namespace MixQ.Cli.Commands;

/// <summary>`mixq export`: a quantized checkpoint as an integer model folder (docs/integer-format.md).</summary>
public static class ExportCommand
{
    public static Command Build()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A quantized checkpoint written by mixq quantize (row-wise methods or hgq)", Required = true };
        var outDir = new Option<string>("--out") { Description = "Folder for model.json and arrays.bin", Required = true };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line" };
        var command = new Command("export", "Export a quantized checkpoint as a bit-exact integer model") { checkpoint, outDir, json };
        command.SetAction(parse =>
        {
            var (model, dropped) = IntegerConverter.FromCheckpoint(parse.GetRequiredValue(checkpoint));
            string folder = parse.GetRequiredValue(outDir);
            IntegerModelFile.Save(model, folder);
            var matrices = model.Layers.Where(l => l is IntDense or IntConv2d).ToList();
            int maxAcc = matrices.Max(l => l is IntDense d ? d.AccumulatorBits : ((IntConv2d)l).AccumulatorBits);
            foreach (var layer in model.Layers) Console.WriteLine($"  {layer.Op,-16} {layer.Name}{Describe(layer)}");
            Console.WriteLine($"{model.ModelName} ({model.Method}): {model.Layers.Count} integer layers, accumulators up to {maxAcc} bits" +
                              (dropped > 0 ? $", {dropped} PoT/SP2 terms below 2^-{IntegerWeights.MaxFrame} dropped" : "") + $" -> {folder}");
            if (parse.GetValue(json))
            {
                JsonLine.Write(new JsonObject
                {
                    ["model"] = model.ModelName,
                    ["method"] = model.Method,
                    ["out"] = folder,
                    ["layers"] = model.Layers.Count,
                    ["max_accumulator_bits"] = maxAcc,
                    ["dropped_terms"] = dropped,
                });
            }
            return 0;
        });
        return command;
    }

    private static string Describe(IntLayer layer) => layer switch
    {
        IntDense d => $"  {d.InFeatures}->{d.OutFeatures}, input {d.Input}, acc {d.AccumulatorBits} bits",
        IntConv2d c => $"  {c.InChannels}->{c.OutChannels} k{c.KernelSize}, input {c.Input}, acc {c.AccumulatorBits} bits",
        IntRequantize r => $"  {r.Channels} channels -> [{r.Min}, {r.Max}]",
        IntShiftRequantize q => $"  {q.Formats.Count} elements, widths {q.Formats.Widths.Min()}..{q.Formats.Widths.Max()} bits, " +
                                $"{ElementFormats.Name(q.Formats.Rounding)}, {ElementFormats.Name(q.Formats.Overflow)} -> [{q.Formats.Range.Min}, {q.Formats.Range.Max}]",
        _ => "",
    };
}
