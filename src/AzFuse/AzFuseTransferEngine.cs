namespace AzFuse;

/// <summary>Which engine moves file content between the cache and the storage service.</summary>
public enum AzFuseTransferEngine
{
    /// <summary>
    /// The fastest for each transfer: in-process HTTP for small files and small batches, azcopy's
    /// pipe mode for a single large file, one azcopy job for a large batch. Where azcopy is not
    /// installed, HTTP serves everything it can.
    /// </summary>
    Auto,

    /// <summary>Always azcopy: pipe mode for one file, a job for several. Fails with an install hint where azcopy is missing.</summary>
    AzCopy,

    /// <summary>Always in-process HTTP requests, several in flight; azcopy is never started.</summary>
    Http,
}
