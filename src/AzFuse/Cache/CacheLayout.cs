using AzFuse.IO;

namespace AzFuse.Cache;

/// <summary>
/// Where AzFuse keeps its own state under a cache root. It lives inside the root so that a
/// staged file is renamed into place on the same file system, which is what makes the rename
/// atomic; logical paths may not name this folder.
/// </summary>
/// <remarks>
/// Every file AzFuse names here starts with '.': a cache folder shared with the Python tool
/// may be trimmed by its garbage collector, which walks into hidden folders and deletes every
/// file except those whose names start with '.' or end with '.tmp'. Journals, lock files, the
/// size ledger and files being written are so kept from it. Files named by what they hold (a
/// batch's staged downloads, an upload's hard-linked snapshot, azcopy's plans and logs) cannot
/// be: those live only for one transfer, and one the collector removes fails that attempt,
/// which is retried (downloads are checked file by file; an upload's record stays until confirmed).
/// </remarks>
internal static class CacheLayout
{
    public const string WorkFolderName = ".azfuse";

    /// <summary>Batch downloads land here, one folder per job, before each file is renamed into the cache.</summary>
    public static string StagingFolder(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, "staging");

    /// <summary>Pending-upload journals, one per writing process (see <c>UploadJournal</c>).</summary>
    public static string PendingFolder(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, "pending");

    /// <summary>Files being written, one folder per process, renamed into place when closed.</summary>
    /// <remarks>Under the root the file will live in, so that the rename is atomic (same file system).</remarks>
    public static string WritingFolder(string dataRoot) => Path.Combine(dataRoot, WorkFolderName, "writing");

    /// <summary>Hard-linked snapshots of the files of one batch upload, laid out by blob name for azcopy.</summary>
    public static string UploadFolder(string dataRoot) => Path.Combine(dataRoot, WorkFolderName, "upload");

    /// <summary>
    /// The bytes the cache root holds, as one number that every process sharing the root keeps up
    /// to date under <see cref="SizeLedgerLockPath"/>; corrected by a scan whenever files are evicted.
    /// </summary>
    public static string SizeLedgerPath(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, ".cache-size");

    public static string SizeLedgerLockPath(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, ".cache-size.lock");

    /// <summary>The ledger's name before it started with '.' (versions before the Python tool's collector was allowed for); removed when found.</summary>
    private static string LegacySizeLedgerPath(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, "cache-size");

    /// <summary>
    /// The claims of the azcopy jobs running on the cache root, one folder per job (see
    /// <c>JobClaims</c>), and the lock under which a job reads the others' claims and writes its own.
    /// </summary>
    public static string ClaimsFolder(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, "claims");

    public static string ClaimsLockPath(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, ".claims.lock");

    /// <summary>azcopy's job plans and logs, one folder per run (never under the user's home).</summary>
    public static string AzCopyFolder(string cacheRoot) => Path.Combine(cacheRoot, WorkFolderName, "azcopy");

    /// <summary>
    /// Deletes what processes that are gone left in the work folders of <paramref name="dataRoot"/>
    /// (a cache root or a staging root): batch staging and upload snapshots, files being written
    /// when they died, and azcopy's logs of failed runs once <paramref name="keepAzCopyLogsFor"/>
    /// has passed. Done when the library starts, so that nothing waits for a later batch.
    /// </summary>
    public static void PruneAbandoned(string dataRoot, TimeSpan keepAzCopyLogsFor, TimeProvider time)
    {
        ScratchFolder.PruneAbandoned(StagingFolder(dataRoot));
        ScratchFolder.PruneAbandoned(ClaimsFolder(dataRoot));
        ScratchFolder.PruneAbandoned(WritingFolder(dataRoot));
        ScratchFolder.PruneAbandoned(UploadFolder(dataRoot));
        ScratchFolder.PruneAbandoned(AzCopyFolder(dataRoot), keepAzCopyLogsFor, time);

        // A running estimate that the new ledger replaces (a fresh one starts with a scan): litter.
        var legacy = LegacySizeLedgerPath(dataRoot);
        if (NativeFiles.StatusOf(legacy) is { Kind: FileKind.File })
        {
            CacheCommit.DeleteQuietly(legacy);
        }
    }
}
