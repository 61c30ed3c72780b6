using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AzFuse.Upload;

/// <summary>
/// The local state folder of an upload, as CLFSLoad keeps one: the MD5 of every local file this
/// upload has hashed, by relative path, length and last-write time. A restarted run compares those
/// with the blobs' stored MD5s instead of reading again every file it already uploaded. A file whose
/// length or last-write time changed is hashed again (the quick check rsync makes too).
/// </summary>
/// <remarks>
/// One JSON line per file, appended and flushed as each batch is confirmed: a killed run leaves
/// every complete line, and a torn last line is skipped when read.
/// </remarks>
internal sealed class UploadState : IDisposable
{
    private const string FileName = "md5.jsonl";

    private readonly Dictionary<string, Entry> _known;
    private readonly StreamWriter _writer;

    private UploadState(string folder, Dictionary<string, Entry> known, StreamWriter writer)
    {
        Folder = folder;
        _known = known;
        _writer = writer;
    }

    public string Folder { get; }

    /// <summary>
    /// Opens the state of uploading <paramref name="source"/> to <paramref name="target"/> under
    /// <paramref name="stateRoot"/> (default <c>$XDG_STATE_HOME/azfuse/upload</c>, else
    /// <c>~/.local/state/azfuse/upload</c>): one folder per pair of source and target. Never in a
    /// cache folder: it describes the local tree, not the cache.
    /// </summary>
    public static UploadState Open(string? stateRoot, string source, string target)
    {
        stateRoot ??= Path.Combine(
            Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state"),
            "azfuse",
            "upload");
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(source) + "\n" + target))).ToLowerInvariant()[..16];
        var folder = Path.Combine(stateRoot, key);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        var known = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (TryParse(line) is { } entry)
                {
                    known[entry.Path] = entry;
                }
            }
        }

        var writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        return new UploadState(folder, known, writer);
    }

    /// <summary>The MD5 (base64) recorded for this file as it is now, or <see langword="null"/>.</summary>
    public string? KnownMd5(string relativePath, FileInfo file) =>
        _known.TryGetValue(relativePath, out var entry) && entry.Length == file.Length && entry.Ticks == file.LastWriteTimeUtc.Ticks ? entry.Md5 : null;

    /// <summary>Records a file's MD5, as it was when hashed.</summary>
    public void Record(string relativePath, long length, long lastWriteTicks, string md5)
    {
        var entry = new Entry(relativePath, length, lastWriteTicks, md5);
        _known[relativePath] = entry;
        _writer.WriteLine(JsonSerializer.Serialize(entry, UploadStateJson.Default.Entry));
    }

    /// <summary>Makes what was recorded durable before the next batch starts.</summary>
    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    private static Entry? TryParse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, UploadStateJson.Default.Entry);
        }
        catch (JsonException)
        {
            return null; // the torn last line of a killed run
        }
    }

    internal sealed record Entry(string Path, long Length, long Ticks, string Md5);
}

// The library is trimming-friendly: JSON through a source-generated context, as the journal's. The
// property names are those the tool wrote before this moved into the library.
[System.Text.Json.Serialization.JsonSerializable(typeof(UploadState.Entry))]
internal sealed partial class UploadStateJson : System.Text.Json.Serialization.JsonSerializerContext;
