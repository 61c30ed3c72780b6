using AzFuse.Upload;

namespace AzFuse.Tests.Infrastructure;

/// <summary>
/// The files a cache root's work folder holds by design, which the litter checks leave out: the
/// fill locks' one lock file (<c>.azfuse/.fill-locks</c>, empty, its ranges locked while files are
/// filled), the marker a live process leaves while its fills may not be flushed to disk yet
/// (<c>.azfuse/.unsynced-BOOT-PID</c>, removed at its exit; see <c>UnsyncedFills</c>), the
/// empty files a live process that writes or fills keeps ready in its writing folder for its next
/// writes and fills (<c>.spare-GUID</c>, removed with the folder at its exit; see <see cref="SpareFiles"/>),
/// and the lock file by which it owns that folder (<c>.azfuse/writing/.NAME.lock</c>).
/// </summary>
public static class StandingFiles
{
    public static IEnumerable<string> Without(IEnumerable<string> paths) =>
        paths.Where(p => Path.GetFileName(p) is var name && name != ".fill-locks" && !name.StartsWith(".unsynced-", StringComparison.Ordinal) && !IsSpare(p) && !IsWritingFolderLock(p));

    /// <summary>A spare file made ahead for a write (see <see cref="SpareFiles"/>).</summary>
    public static bool IsSpare(string path) => Path.GetFileName(path).StartsWith(SpareFiles.Prefix, StringComparison.Ordinal);

    /// <summary>The lock file by which a live process owns its writing folder (<c>.azfuse/writing/.NAME.lock</c>).</summary>
    public static bool IsWritingFolderLock(string path) =>
        Path.GetFileName(path).EndsWith(".lock", StringComparison.Ordinal) && Path.GetFileName(Path.GetDirectoryName(path)) == "writing" &&
        Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path))) == ".azfuse";

    /// <summary>Whether <paramref name="folder"/> is a cache root's writing folder (<c>.azfuse/writing</c>) or a live process's own folder in it.</summary>
    public static bool IsWritingFolder(string folder, string cacheRoot) =>
        Path.GetRelativePath(Path.Combine(cacheRoot, ".azfuse", "writing"), folder) is var relative && relative != ".." && !relative.StartsWith("../", StringComparison.Ordinal) && !relative.Contains('/', StringComparison.Ordinal);
}
