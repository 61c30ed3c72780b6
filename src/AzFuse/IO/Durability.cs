namespace AzFuse.IO;

/// <summary>Flushing files to disk before they are renamed into the cache.</summary>
internal static class Durability
{
    /// <summary>
    /// fsyncs each file, several at a time. azcopy closes files without fsync; after a power
    /// loss such a file, once renamed, could come back empty at its cache path and look cached.
    /// </summary>
    public static void FlushFiles(IEnumerable<string> paths) =>
        Parallel.ForEach(paths, new ParallelOptions { MaxDegreeOfParallelism = 8 }, path =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
            file.Flush(flushToDisk: true);
        });
}
