namespace MixQ.Codegen.Hls;

/// <summary>The text of mixq_fixed.h, MixQ's fixed-point header, embedded in this assembly.</summary>
public static class FixedHeader
{
    public const string FileName = "mixq_fixed.h";

    public static string Text { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(FixedHeader).Assembly.GetManifestResourceStream("MixQ.Codegen.mixq_fixed.h")
            ?? throw new InvalidOperationException("mixq_fixed.h is missing from the MixQ.Codegen assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
