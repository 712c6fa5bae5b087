using System.Diagnostics;

namespace MixQ.Codegen.Tools;

/// <summary>
/// Runs the external programs codegen relies on (g++, verilator, yosys, iverilog): finds them on PATH, runs them
/// with a time limit, and turns a failure into one clear <see cref="MixQException"/> line.
/// </summary>
public static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? Find(string name)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (string folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static bool IsAvailable(string name) => Find(name) is not null;

    /// <summary>Runs the tool; never throws for a non-zero exit code (see <see cref="RunChecked"/>).</summary>
    public static ToolResult Run(string name, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        string exe = Find(name) ?? (File.Exists(name) ? name
            : throw new MixQException($"{name} is not installed (apt-get install -y {PackageOf(name)})"));
        var info = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new MixQException($"cannot start {name}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new MixQException($"{name} did not finish within {timeout.TotalSeconds:F0} s (in {workingDirectory})");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }

    /// <summary>Runs the tool and throws with the tail of its output when it fails.</summary>
    public static ToolResult RunChecked(string name, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var result = Run(name, arguments, workingDirectory, timeout);
        if (!result.Succeeded)
        {
            string tail = LastLines(result.StandardError + result.StandardOutput, 12);
            throw new MixQException($"{name} failed with exit code {result.ExitCode} in {workingDirectory}: {tail}");
        }
        return result;
    }

    private static string LastLines(string text, int count)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - count)).Select(l => l.Trim()));
    }

    private static string PackageOf(string name) => name switch
    {
        "g++" => "g++",
        "verilator" => "verilator",
        "yosys" => "yosys",
        "iverilog" or "vvp" => "iverilog",
        _ => name,
    };
}
