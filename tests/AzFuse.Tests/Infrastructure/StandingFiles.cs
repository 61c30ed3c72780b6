using AzFuse.Upload;

namespace AzFuse.Tests.Infrastructure;

/// <summary>
/// The files a cache root's work folder holds by design, which the litter checks leave out: the
/// fill locks' one lock file (<c>.azfuse/.fill-locks</c>, empty, its ranges locked while files are
/// filled), the marker a live process leaves while its fills may not be flushed to disk yet
/// (<c>.azfuse/.unsynced-BOOT-PID</c>, removed at its exit; see <c>UnsyncedFills</c>), and the
/// empty files a live process that writes keeps ready in its writing folder for its next writes
/// (<c>.spare-GUID</c>, removed with the folder at its exit; see <see cref="SpareFiles"/>).
/// </summary>
public static class StandingFiles
{
    public static IEnumerable<string> Without(IEnumerable<string> paths) =>
        paths.Where(p => Path.GetFileName(p) is var name && name != ".fill-locks" && !name.StartsWith(".unsynced-", StringComparison.Ordinal) && !IsSpare(p));

    /// <summary>A spare file made ahead for a write (see <see cref="SpareFiles"/>).</summary>
    public static bool IsSpare(string path) => Path.GetFileName(path).StartsWith(SpareFiles.Prefix, StringComparison.Ordinal);
}
