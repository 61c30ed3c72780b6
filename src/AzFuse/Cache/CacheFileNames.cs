using AzFuse.IO;

namespace AzFuse.Cache;

/// <summary>
/// Names of the files AzFuse keeps beside a cache file. They start with '.' so a directory
/// listing of the cache looks clean, and end with a suffix that no logical file may use.
/// </summary>
internal static class CacheFileNames
{
    private const string LockSuffix = ".azfuse-lock";
    private const string PartialSuffix = ".azfuse-partial";
    private const string RecordSuffix = ".azfuse-record";
    private const string RecordTempSuffix = ".azfuse-record-new";
    private const string RangesSuffix = ".azfuse-ranges";

    /// <summary>The lock file that serialises fills of <paramref name="cachePath"/> across processes.</summary>
    public static string LockPath(string cachePath) => Beside(cachePath, LockSuffix);

    /// <summary>
    /// Where a single-file download is written before it is renamed into place. Only the
    /// holder of the lock writes it, so one fixed name per file is enough, and a leftover from
    /// a killed process is simply overwritten by the next fill.
    /// </summary>
    public static string PartialPath(string cachePath) => Beside(cachePath, PartialSuffix);

    /// <summary>The <see cref="CacheRecord"/> of <paramref name="cachePath"/>.</summary>
    public static string RecordPath(string cachePath) => Beside(cachePath, RecordSuffix);

    /// <summary>Where a new record is written before it is renamed over the old one (by the lock holder only).</summary>
    public static string RecordTempPath(string cachePath) => Beside(cachePath, RecordTempSuffix);

    /// <summary>The ranges of a parallel download that are in its partial file (<c>RangeRecord</c>): what a resumed download need not fetch again.</summary>
    public static string RangesPath(string cachePath) => Beside(cachePath, RangesSuffix);

    /// <summary>
    /// Whether a cached copy is at <paramref name="cachePath"/>: a regular file, not a link (which is
    /// never read as the logical file, even when it points at one) and not a folder.
    /// </summary>
    public static bool IsCachedFile(string cachePath) => NativeFiles.StatusOf(cachePath) is { Kind: FileKind.File };

    /// <summary>Whether <paramref name="fileName"/> is a partial download's (see <see cref="PartialPath"/>).</summary>
    public static bool IsPartialName(ReadOnlySpan<char> fileName) => fileName.EndsWith(PartialSuffix, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="fileName"/> is one of AzFuse's own files beside a cache file (its lock, partial download, record or ranges).</summary>
    public static bool IsReservedName(string fileName) => IsReservedName(fileName.AsSpan());

    /// <inheritdoc cref="IsReservedName(string)"/>
    public static bool IsReservedName(ReadOnlySpan<char> fileName) =>
        fileName.EndsWith(LockSuffix, StringComparison.Ordinal) ||
        fileName.EndsWith(PartialSuffix, StringComparison.Ordinal) ||
        fileName.EndsWith(RecordSuffix, StringComparison.Ordinal) ||
        fileName.EndsWith(RecordTempSuffix, StringComparison.Ordinal) ||
        fileName.EndsWith(RangesSuffix, StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="fileName"/> is one of the Python tool's own files in a cache folder it
    /// shares: <c>NAME.tmpwrite</c>, a write in progress that it renames to NAME when done, and
    /// <c>NAME.lockfile</c>, its lock with <c>cache_lock: true</c> (kept after use). Never a logical
    /// file here: never served, counted, evicted or cleared.
    /// </summary>
    public static bool IsOtherToolsName(ReadOnlySpan<char> fileName) =>
        fileName.EndsWith(".tmpwrite", StringComparison.Ordinal) || fileName.EndsWith(".lockfile", StringComparison.Ordinal);

    /// <summary>The name of the cache file that the reserved name <paramref name="fileName"/> belongs to (<c>.NAME.azfuse-lock</c> → <c>NAME</c>).</summary>
    public static string CacheNameOf(string fileName)
    {
        var suffix = new[] { LockSuffix, PartialSuffix, RecordSuffix, RecordTempSuffix, RangesSuffix }.First(s => fileName.EndsWith(s, StringComparison.Ordinal));
        var name = fileName[..^suffix.Length];
        return name.StartsWith('.') ? name[1..] : name;
    }

    private static string Beside(string cachePath, string suffix) =>
        Path.Combine(Path.GetDirectoryName(cachePath)!, "." + Path.GetFileName(cachePath) + suffix);
}
