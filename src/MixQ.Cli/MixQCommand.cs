using System.CommandLine;
using MixQ.Cli.Commands;
using MixQ.Cli.Output;

namespace MixQ.Cli;

/// <summary>The `mixq` root command: verbs are thin layers over the libraries.</summary>
public static class MixQCommand
{
    public static RootCommand Build() => new("MixQ: mixed-scheme, mixed-precision quantization of neural networks for FPGAs")
    {
        TrainCommand.Build(),
        EvalCommand.Build(),
        QuantizeCommand.Build(),
        PlanCommand.Build(),
        ExportCommand.Build(),
        CalibrateCommand.Build(),
        EstimateCommand.Build(),
        PartitionCommand.Build(),
        GenerateCommand.Build(),
        SynthCommand.Build(),
    };

    /// <summary>
    /// Parses and runs. Parse errors and <see cref="MixQException"/>s end in one line on stderr and exit code 2;
    /// any other exception is a bug and keeps its stack trace (exit code 70).
    /// </summary>
    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            ErrorLine.Write(parse.Errors[0].Message + " (see 'mixq --help')");
            return 2;
        }
        try
        {
            // Our handler below, not the library's, reports exceptions: one line for user errors.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (MixQException e)
        {
            ErrorLine.Write(e.Message);
            return 2;
        }
        catch (OperationCanceledException)
        {
            ErrorLine.Write("interrupted");
            return 130;
        }
    }
}
