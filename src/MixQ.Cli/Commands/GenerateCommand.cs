using System.CommandLine;
using System.Text.Json.Nodes;
using MixQ.Cli.Output;
using MixQ.Codegen.Design;
using MixQ.Codegen.Vectors;
using MixQ.NN.Data;
using MixQ.NN.IO;
using MixQ.NN.Models;
using MixQ.Quantization.Integer;
using MixQ.Quantization.Plans;
using MixQ.Quantization.Qat;

namespace MixQ.Cli.Commands;

/// <summary>`mixq generate`: Verilog, HLS C++, testbenches and test vectors for a quantized checkpoint.</summary>
public static class GenerateCommand
{
    public static Command Build()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A quantized checkpoint written by mixq quantize (row-wise methods; hgq with --arch unrolled)", Required = true };
        var arch = new Option<string>("--arch") { Description = "unrolled (constant-weight pipelined layers) or gemm (mixed LUT/DSP engine)", DefaultValueFactory = _ => "unrolled" };
        var outDir = new Option<string>("--out") { Description = "Output folder for the design", Required = true };
        var data = new Option<string>("--data") { Description = "Data set whose test split provides the test vectors", DefaultValueFactory = _ => "mnist" };
        var count = new Option<int>("--vectors") { Description = "Number of test-set samples written as test vectors", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line" };
        var command = new Command("generate", "Generate Verilog, HLS C++, testbenches and test vectors for a quantized model") { checkpoint, arch, outDir, data, count, json };
        command.SetAction(parse =>
        {
            string architecture = parse.GetValue(arch)!.Trim().ToLowerInvariant();
            if (!DesignWriter.Architectures.Contains(architecture))
                throw new MixQException($"--arch must be one of {string.Join(", ", DesignWriter.Architectures)}, got '{parse.GetValue(arch)}'");
            int n = parse.GetValue(count);
            if (n < 1) throw new MixQException($"--vectors must be at least 1, got {n}");
            string path = parse.GetRequiredValue(checkpoint);
            if (!File.Exists(path)) throw new MixQException($"checkpoint {path} does not exist");
            NN.Modules.Module model;
            ModelSpec spec;
            QuantizationPlan? plan = null;
            IntegerModel integer;
            if (Quantization.Hgq.HgqJob.IsHgq(path))
            {
                (model, spec) = Quantization.Hgq.HgqJob.Load(path);
                integer = HgqIntegerConverter.Convert(model, spec);
                DesignWriter.CheckSupported(integer, architecture); // before any data is read or file written
            }
            else
            {
                if (!QuantizeJob.IsQuantized(path)) throw new MixQException($"checkpoint {path} is not quantized: run mixq quantize first");
                (model, spec, plan) = QuantizeJob.LoadQuantized(path);
                integer = IntegerConverter.Convert(model, spec, plan.Method).Model;
            }
            var split = DataRegistry.Load(parse.GetRequiredValue(data), new DataOptions(), msg => Console.Error.WriteLine(msg));
            ModelZoo.CheckCompatible(spec, split.Test, path);
            var test = split.Test.Limit(n);
            var engine = new IntegerEngine(integer);
            var vectors = TestVectors.FromEngine(engine, test.Features.AsSpan(0, test.Count * test.SampleSize), test.Count);
            string dir = parse.GetRequiredValue(outDir);
            var design = DesignWriter.Build(integer, architecture); // once: written and priced from the same object
            var manifest = DesignWriter.Write(design, vectors, dir);
            try
            {
                var prediction = CostPrediction.Compute(design);
                AtomicFile.WriteAllText(Path.Combine(dir, CostPrediction.FileName), prediction.ToJson());
            }
            catch (MixQException e)
            {
                // The design is complete without it; mixq synth then reports synthesis figures alone.
                Console.Error.WriteLine($"no cost-model prediction: {e.Message}");
            }
            Console.WriteLine($"{spec.Name} ({integer.Method}): {architecture} design in {dir}: {manifest.Modules.Count} modules, " +
                              $"{vectors.Count} test vectors, testbench sim/{Codegen.Simulation.VerilatorTestbench.ScriptName}, HLS C++ in hls/");
            if (parse.GetValue(json))
            {
                JsonLine.Write(new JsonObject
                {
                    ["model"] = spec.Name,
                    ["method"] = integer.Method,
                    ["architecture"] = architecture,
                    ["out"] = dir,
                    ["modules"] = manifest.Modules.Count,
                    ["vectors"] = vectors.Count,
                });
            }
            return 0;
        });
        return command;
    }
}
