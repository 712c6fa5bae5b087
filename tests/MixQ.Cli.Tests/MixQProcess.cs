using System.Diagnostics;

namespace MixQ.Cli.Tests;

/// <summary>Runs the built `mixq` command in a child process, as a user would, and captures its output.</summary>
internal static class MixQProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string LastStdoutLine => Stdout.TrimEnd().Split('\n').Last().Trim();
    }

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "mixq.dll");

    public static Process Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        return Process.Start(info)!;
    }

    public static Result Run(string workingDirectory, params string[] args)
    {
        using var p = Start(workingDirectory, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("mixq did not finish within 5 minutes: " + string.Join(' ', args));
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
