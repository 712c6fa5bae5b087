using System.Diagnostics;
using System.Text.Json;

namespace MixQ.Hardware.Synthesis;

/// <summary>
/// Runs yosys's Xilinx flow on one Verilog file and reads the cell counts back:
/// `read_verilog F; synth_xilinx -family FAM -top top -noiopad [-nodsp]; tee -o stat.json stat -json`.
/// </summary>
public static class Yosys
{
    /// <summary>The yosys executable on PATH, or null when it is not installed.</summary>
    public static string? Find()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            string candidate = Path.Combine(dir, "yosys");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Synthesizes <paramref name="block"/> in a scratch folder (deleted afterwards) and returns its counts.</summary>
    public static SynthesisStats Synthesize(CalibrationBlock block, string family = "xc7", TimeSpan? timeout = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mixq-yosys-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string verilog = Path.Combine(dir, block.Name + ".v");
            File.WriteAllText(verilog, block.Verilog);
            return SynthesizeFile(verilog, "top", family, useDsp: block.UseDsp, timeout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Synthesizes one Verilog file; any failure of the tool is a <see cref="MixQException"/> with its last message.</summary>
    public static SynthesisStats SynthesizeFile(string verilogPath, string top, string family, bool useDsp, TimeSpan? timeout = null)
    {
        string exe = Find() ?? throw new MixQException("yosys not found on PATH (install it with: apt-get install -y yosys)");
        string dir = Path.GetDirectoryName(Path.GetFullPath(verilogPath))!;
        string statPath = Path.Combine(dir, Path.GetFileNameWithoutExtension(verilogPath) + ".stat.json");
        string script = $"read_verilog {Quote(verilogPath)}; synth_xilinx -family {family} -top {top} -noiopad{(useDsp ? "" : " -nodsp")}; tee -q -o {Quote(statPath)} stat -json";
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        psi.ArgumentList.Add("-q");
        psi.ArgumentList.Add("-p");
        psi.ArgumentList.Add(script);
        using var process = Process.Start(psi) ?? throw new MixQException("could not start yosys");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new MixQException($"yosys did not finish synthesizing {verilogPath} in time");
        }
        string err = (stderr.Result + stdout.Result).Trim();
        if (process.ExitCode != 0 || !File.Exists(statPath))
            throw new MixQException($"yosys failed on {verilogPath}: {err.Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? "no message"}");
        return ParseStat(File.ReadAllText(statPath), statPath);
    }

    /// <summary>Reads the cell histogram of yosys's `stat -json` (the "design" total when present, else the sum over modules).</summary>
    public static SynthesisStats ParseStat(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var cells = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("design", out var design) && design.TryGetProperty("num_cells_by_type", out var byType))
            {
                Add(cells, byType);
            }
            else if (root.TryGetProperty("modules", out var modules))
            {
                foreach (var module in modules.EnumerateObject())
                    if (module.Value.TryGetProperty("num_cells_by_type", out var mc)) Add(cells, mc);
                    else if (module.Value.TryGetProperty("cells", out var c)) Add(cells, c);
            }
            else
            {
                throw new MixQException($"yosys statistics {source} have neither 'design' nor 'modules'");
            }
            return SynthesisStats.FromCells(cells);
        }
        catch (JsonException e)
        {
            throw new MixQException($"yosys statistics {source} are not valid JSON ({e.Message})", e);
        }
    }

    private static void Add(Dictionary<string, int> cells, JsonElement histogram)
    {
        foreach (var cell in histogram.EnumerateObject())
        {
            if (cell.Value.ValueKind != JsonValueKind.Number) continue;
            cells[cell.Name] = cells.GetValueOrDefault(cell.Name) + cell.Value.GetInt32();
        }
    }

    private static string Quote(string path) => path.Contains(' ') ? $"\"{path}\"" : path;
}
