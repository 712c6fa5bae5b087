namespace MixQ.Codegen.Tests.Support;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string tag)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mixq-codegen-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // MIXQ_KEEP_TEMP=1 keeps generated designs for inspection.
        if (Environment.GetEnvironmentVariable("MIXQ_KEEP_TEMP") == "1") return;
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
