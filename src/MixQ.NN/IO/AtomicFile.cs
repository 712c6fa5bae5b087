using System.Text;

namespace MixQ.NN.IO;

/// <summary>
/// Replaces a file so that readers (and a crash) see either the complete old contents or the complete new
/// contents, never a half-written file: the data goes to a temporary file in the same folder (so the final
/// rename stays on one file system), is flushed to disk, and is then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>. If <paramref name="write"/> throws,
    /// the temporary file is deleted, the existing file is untouched and the exception propagates.
    /// File-system failures (missing folder, no permission, disk full) become a <see cref="MixQException"/>
    /// naming the file.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath) ?? throw new MixQException($"cannot write {path}: it is not a file path");
        // Hidden, unique name next to the target; a crashed writer leaves only this recognisable leftover.
        string temp = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
                throw new MixQException($"cannot write {path}: {e.Message}", e);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (without a byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        Write(path, s => s.Write(bytes));
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // The original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
