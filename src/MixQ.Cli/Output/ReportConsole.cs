using Spectre.Console;

namespace MixQ.Cli.Output;

/// <summary>A Spectre console on stdout for reports: colour and live width on a terminal, plain 200-column text in pipes and logs.</summary>
public static class ReportConsole
{
    public static IAnsiConsole Create()
    {
        bool redirected = Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = redirected || Environment.GetEnvironmentVariable("NO_COLOR") is not null ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (redirected) console.Profile.Width = 200;
        return console;
    }
}
