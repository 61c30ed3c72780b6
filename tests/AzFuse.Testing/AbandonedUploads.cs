using AzFuse.Cache;
using AzFuse.Upload;

namespace AzFuse.Testing;

/// <summary>
/// Leaves a sandbox's cache as a process killed with its uploads still queued leaves it: each
/// written file in the cache with its record saying "a local write, not uploaded", and one journal
/// of their pending records whose owner is gone. Made with the library's own journal and record
/// types, in seconds, where writing 100,000 files through the library (two fsyncs each) and killing
/// the writer takes many minutes.
/// </summary>
public static class AbandonedUploads
{
    /// <summary>Writes the files (paths relative to the mapping) and their abandoned journal.</summary>
    /// <returns>The journal's path.</returns>
    public static string Leave(AzFuseSandbox sandbox, IEnumerable<(string Relative, byte[] Content)> files)
    {
        var root = sandbox.CacheRoot;
        var written = DateTimeOffset.UtcNow;
        var records = new List<PendingUpload>();
        foreach (var (relative, content) in files)
        {
            var dataPath = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(dataPath)!);
            File.WriteAllBytes(dataPath, content);
            var record = new PendingUpload(
                records.Count + 1,
                "azurite",
                AzFuseSandbox.RemotePrefix + "/" + relative,
                AzFuseSandbox.LocalPrefix + "/" + relative,
                root,
                dataPath,
                Staged: false,
                written,
                Guid.NewGuid());
            CacheRecords.Write(dataPath, new CacheRecord(ETag: null, content.Length, LastModified: null, written, record.Token));
            records.Add(record);
        }

        // Created and released by this process: once released, its lock is free, as a dead owner's is.
        using var journal = UploadJournal.Create(CacheLayout.PendingFolder(root), TimeProvider.System);
        journal.AppendAll(records);
        return journal.Path;
    }
}
