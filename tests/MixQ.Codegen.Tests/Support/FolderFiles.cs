namespace MixQ.Codegen.Tests.Support;

/// <summary>Every file under a folder, as sorted relative paths with '/' (to compare two generated folders).</summary>
internal static class FolderFiles
{
    public static List<string> List(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
}
