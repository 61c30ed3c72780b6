using AzFuse.Configuration;
using AzFuse.IO;

namespace AzFuse.Upload;

/// <summary>
/// Validates pending-upload records read from a journal, so that one malformed record (valid
/// JSON without a blob, an account or an id; a hand-edited or half-written line) is skipped and
/// reported instead of failing every resume. A record whose data file still exists is made whole
/// from what remains: the data file's place under its cache folder (or staging root) gives the
/// mapping, and with it the blob, the storage account and the logical path.
/// </summary>
/// <remarks>
/// A record's data file must lie in its journal's cache folder (or that folder's staging root):
/// a record is never a way to make AzFuse upload, or delete once uploaded, a file elsewhere.
/// </remarks>
internal sealed class PendingRecordCheck
{
    private readonly IReadOnlyList<MountMapping> _mappings;
    private readonly SharedMemoryStaging _staging;

    public PendingRecordCheck(IReadOnlyList<MountMapping> mappings, SharedMemoryStaging staging)
    {
        _mappings = mappings;
        _staging = staging;
    }

    /// <summary>The record, completed where a field is missing, or why it cannot be used.</summary>
    /// <param name="record">As read; any field may be missing (JSON does not enforce them).</param>
    /// <param name="cacheRoot">The cache folder whose journal holds it.</param>
    public (PendingUpload? Record, string? Problem) Check(PendingUpload record, string cacheRoot)
    {
        if (string.IsNullOrEmpty(record.DataPath))
        {
            return (null, "it names no data file");
        }

        if (!string.IsNullOrEmpty(record.CacheRoot) && record.CacheRoot != cacheRoot)
        {
            return (null, $"it belongs to the cache folder '{record.CacheRoot}', not to this one");
        }

        var stagingRoot = _staging.RootOf(cacheRoot);
        var staged = ContainedFolders.IsUnder(stagingRoot, record.DataPath);
        var dataRoot = staged ? stagingRoot : cacheRoot;
        if (!ContainedFolders.IsUnder(cacheRoot, record.DataPath) && !staged)
        {
            return (null, $"its data file '{record.DataPath}' is outside the cache folder");
        }

        try
        {
            ContainedFolders.Check(dataRoot, Path.GetDirectoryName(record.DataPath)!);
        }
        catch (IOException)
        {
            return (null, $"its data file '{record.DataPath}' lies in a linked folder, outside the cache folder");
        }

        // The record itself when it is complete already (as every record this library writes is): a
        // copy per record was one more object per file of a journal being adopted.
        var complete = record.CacheRoot == cacheRoot && record.Staged == staged ? record : record with { CacheRoot = cacheRoot, Staged = staged };
        if (!string.IsNullOrEmpty(record.StorageAccount) && !string.IsNullOrEmpty(record.BlobName))
        {
            return (string.IsNullOrEmpty(record.LogicalPath) ? complete with { LogicalPath = record.BlobName } : complete, null);
        }

        if (!File.Exists(record.DataPath))
        {
            return (null, "it names no blob or storage account, and its data file is gone");
        }

        // Recovered from the data file's place: CACHE/rest is the blob REMOTE/rest of the mapping.
        var rest = Path.GetRelativePath(dataRoot, record.DataPath).Replace(Path.DirectorySeparatorChar, '/');
        var owners = _mappings.Where(m => m.CacheRoot == cacheRoot).DistinctBy(m => (m.StorageAccount, m.Remote)).ToList();
        if (owners.Count != 1)
        {
            return (null, owners.Count == 0
                ? "it names no blob or storage account, and no mapping uses this cache folder"
                : "it names no blob or storage account, and several mappings share this cache folder");
        }

        var mapping = owners[0];
        var remote = mapping.Remote.Replace('\\', '/').Trim('/');
        return (complete with
        {
            StorageAccount = mapping.StorageAccount,
            BlobName = remote.Length == 0 ? rest : remote + "/" + rest,
            LogicalPath = mapping.Local.TrimEnd('/', '\\') + "/" + rest,
        }, null);
    }
}
