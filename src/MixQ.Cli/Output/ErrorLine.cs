namespace MixQ.Cli.Output;

/// <summary>The single error line every failure ends in: "mixq: error: ...", on stderr.</summary>
public static class ErrorLine
{
    public static void Write(string message)
    {
        // One line, whatever the message contains: users grep logs and CI output for it.
        var flat = message.ReplaceLineEndings(" ").Trim();
        Console.Error.WriteLine($"mixq: error: {flat}");
    }
}
