namespace AzFuse;

/// <summary>How <see cref="AzFuseClient.UploadDirectory"/> uploads a folder.</summary>
public sealed class UploadDirectoryOptions
{
    private int _batchSize = 1000;

    /// <summary>
    /// How many files go in one <see cref="AzFuseClient.AsyncUpload(bool, bool)"/> batch, confirmed
    /// before the next starts: an interruption loses at most one batch's work. Default 1,000; at least 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Under 1.</exception>
    public int BatchSize
    {
        get => _batchSize;
        set => _batchSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "BatchSize must be at least 1.");
    }

    /// <summary>
    /// Where the upload keeps the MD5 of every local file it hashed or sent (by path, length and
    /// last-write time), so that a restarted upload does not read again what it knows. Default
    /// <see langword="null"/>: <c>$XDG_STATE_HOME/azfuse/upload</c>, else <c>~/.local/state/azfuse/upload</c>.
    /// </summary>
    public string? StateFolder { get; set; }

    /// <summary>
    /// Keep the uploaded files' copies in the cache. Default <see langword="false"/>: once a batch is
    /// confirmed its copies are cleared, since the local folder is the copy kept and a bulk upload
    /// should not take its size again on the cache's disk.
    /// </summary>
    public bool KeepCachedCopies { get; set; }

    /// <summary>
    /// Told the files and bytes to upload (first, before anything moves, once the folder is compared
    /// with what is remote) and those uploaded so far. Reports come from upload threads.
    /// </summary>
    public IProgress<TransferProgress>? Progress { get; set; }
}
