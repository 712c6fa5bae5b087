using System.Text;
using MixQ.Codegen.Gemm;
using MixQ.Codegen.Hls;
using MixQ.Codegen.Simulation;
using MixQ.Codegen.Vectors;
using MixQ.Codegen.Verilog;
using MixQ.NN.IO;
using MixQ.Quantization.Integer;

namespace MixQ.Codegen.Design;

/// <summary>
/// Writes a complete design folder for one integer model and architecture: Verilog, design.json, the Verilator
/// testbench and its script, the HLS C++ model with its testbench, test vectors and a README for the user's
/// FPGA flow. Every file is a pure function of its inputs (same model and vectors, same bytes).
/// </summary>
public static class DesignWriter
{
    public static readonly IReadOnlyList<string> Architectures = ["unrolled", "gemm"];

    /// <summary>
    /// Refuses, before anything is written, integer models with parts an architecture does not implement: the GEMM
    /// engine has no HGQ support yet (per-element shift requantization, multiplicand weights wider than its 8-bit
    /// lanes); the unrolled architecture takes HGQ models whose per-element requantizations act on vectors (Dense
    /// inputs) and says so in one line otherwise.
    /// </summary>
    public static void CheckSupported(IntegerModel model, string architecture)
    {
        bool hgq = model.Input is not InputQuantization || model.Layers.Any(l => l is IntShiftRequantize
            || l is IntDense { Weights.Encoding: not WeightEncoding.Words } || l is IntConv2d { Weights.Encoding: not WeightEncoding.Words });
        if (hgq && architecture == "gemm")
            throw new MixQException($"the gemm architecture does not support HGQ integer models yet ({model.ModelName}, method {model.Method}); use --arch unrolled");
    }

    /// <summary>
    /// Builds the design of <paramref name="architecture"/> for <paramref name="model"/> (refusing unsupported models
    /// first), to be written and priced from the same object.
    /// </summary>
    public static BuiltDesign Build(IntegerModel model, string architecture, GemmOptions? gemm = null)
    {
        CheckSupported(model, architecture);
        return architecture switch
        {
            "unrolled" => BuiltDesign.Of(model, UnrolledDesign.Build(model)),
            "gemm" => BuiltDesign.Of(model, GemmDesign.Build(model, gemm)),
            _ => throw new MixQException($"unknown architecture '{architecture}' (expected one of: {string.Join(", ", Architectures)})"),
        };
    }

    public static DesignManifest Write(IntegerModel model, string architecture, TestVectors vectors, string outDir, GemmOptions? gemm = null) =>
        Write(Build(model, architecture, gemm), vectors, outDir);

    /// <summary>Writes the design folder of <paramref name="design"/> (built by <see cref="Build"/>).</summary>
    public static DesignManifest Write(BuiltDesign design, TestVectors vectors, string outDir)
    {
        var model = design.Model;
        var manifest = design.Manifest();
        if (vectors.InputSize != manifest.InputLanes * manifest.InputBeats || vectors.OutputSize != manifest.OutputLanes)
            throw new MixQException($"test vectors of {vectors.InputSize} -> {vectors.OutputSize} values do not fit the design's {manifest.InputLanes * manifest.InputBeats} -> {manifest.OutputLanes}");
        Directory.CreateDirectory(outDir);
        string verilog;
        string readmeArchitecture;
        if (design.Gemm is { } gemm)
        {
            verilog = gemm.Verilog();
            string roms = Path.Combine(outDir, GemmDesign.RomFolder);
            Directory.CreateDirectory(roms);
            foreach (var (name, text) in gemm.RomFiles()) WriteText(Path.Combine(roms, name), text);
            readmeArchitecture = $"mixed-scheme GEMM engine: {gemm.LutLanes} LUT-core lanes (PoT/SP2 rows, shift codes) and {gemm.DspLanes} DSP-core lanes (fixed-point rows), weight ROMs in rom/*.hex (read as ../rom/ from sim/ and synth-*/), ping-pong activation memories, a step-by-step controller";
        }
        else
        {
            verilog = design.Unrolled!.Verilog();
            readmeArchitecture = "fully unrolled, pipelined layers with constant weights (SP2/PoT as shifts and adds, fixed point as CSD shift-add), chained with valid/ready";
        }
        WriteText(Path.Combine(outDir, manifest.VerilogFiles[0]), verilog);
        WriteText(Path.Combine(outDir, DesignManifest.FileName), manifest.ToJson());
        vectors.Write(outDir);
        string sim = Path.Combine(outDir, VerilatorTestbench.Folder);
        Directory.CreateDirectory(sim);
        WriteText(Path.Combine(sim, VerilatorTestbench.FileName), VerilatorTestbench.Cpp(manifest));
        WriteText(Path.Combine(sim, VerilatorTestbench.ScriptName), VerilatorTestbench.Script(manifest));
        MakeExecutable(Path.Combine(sim, VerilatorTestbench.ScriptName));
        string hls = Path.Combine(outDir, HlsWriter.Folder);
        Directory.CreateDirectory(hls);
        WriteText(Path.Combine(hls, FixedHeader.FileName), FixedHeader.Text);
        WriteText(Path.Combine(hls, HlsWriter.ModelFile), HlsWriter.Model(model));
        WriteText(Path.Combine(hls, HlsWriter.TestbenchFile), HlsWriter.Testbench(model));
        WriteText(Path.Combine(outDir, "README.md"), Readme(manifest, readmeArchitecture, vectors.Count));
        return manifest;
    }

    /// <summary>Writes atomically, and not at all when the file already holds these bytes (so regenerating an
    /// unchanged design keeps its timestamps, and `mixq synth --reuse` can trust them).</summary>
    private static void WriteText(string path, string text)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(text);
        if (File.Exists(path) && new FileInfo(path).Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return;
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    private static string Readme(DesignManifest m, string architecture, int vectors)
    {
        var modules = string.Join("\n", m.Modules.Select(e => $"| `{e.Module}` | {e.Kind} | {string.Join(", ", e.Layers.Select(l => $"`{l}`"))} |"));
        return $$"""
            # {{m.Model}} ({{m.Method}}) — generated hardware, architecture `{{m.Architecture}}`

            Generated by `mixq generate`: {{architecture}}.
            Everything here is bit-exact with MixQ's integer engine (`mixq eval --integer`); the test vectors are the
            engine's own inputs and logits for the first {{vectors}} test-set samples.

            ## Files

            | file | what |
            |---|---|
            | `{{string.Join("`, `", m.VerilogFiles)}}` | synthesizable Verilog-2005, top module `{{m.Top}}` |
            | `design.json` | interface and module-to-layer map (read by `mixq synth`) |
            | `vectors/inputs.txt`, `vectors/outputs.txt` | input codes ([C, H, W] order) and expected integer logits, one sample per line |
            | `sim/tb_verilator.cpp`, `sim/run_verilator.sh` | Verilator testbench: `sh sim/run_verilator.sh [--stall]` prints `samples N mismatches 0 ...` |
            | `hls/mixq_model.cpp`, `hls/mixq_fixed.h`, `hls/tb_hls.cpp` | the same network as HLS-style C++ on MixQ's fixed-point types; `g++ -std=c++17 -O2 -o tb tb_hls.cpp && ./tb ../vectors` |

            ## Interface

            Clock `clk` (rising edge), synchronous active-high `rst`. Input: `in_valid`/`in_ready`/`in_data`
            ({{m.InputLanes}} lanes x {{m.InputBits}} bits, {{(m.InputSigned ? "signed" : "unsigned")}}); one inference is {{m.InputBeats}} beats, lane c of
            beat p carrying input code [c * {{m.InputBeats}} + p]. Output: `out_valid`/`out_ready`/`out_data`, one beat
            per inference holding {{m.OutputLanes}} logits of {{m.OutputBits}} bits ({{(m.OutputSigned ? "signed" : "unsigned")}}), logit k in bits
            [k * {{m.OutputBits}} +: {{m.OutputBits}}]. A transfer happens on a rising edge where valid and ready are both high.
            The input codes are what the integer model's entrance quantizer produces from a float sample.

            ## Modules

            | module | kind | integer-model layers |
            |---|---|---|
            {{modules}}

            ## Using it in an FPGA flow

            - Synthesis estimate with open tools: `mixq synth --design . --family xc7` (yosys `synth_xilinx`).
            - Vivado: add `{{string.Join("`, `", m.VerilogFiles)}}` as design sources, set `{{m.Top}}` as top, constrain `clk`,
              and wrap the valid/ready ports in an AXI-Stream interface (they follow the same handshake).
            - Vitis HLS: `hls/mixq_model.cpp` with top function `mixq_model`; replace `mixq::fixed` by `ap_fixed`
              (same template meaning: width, integer bits, signedness, quantization and overflow modes).
            """ + "\n";
    }
}
