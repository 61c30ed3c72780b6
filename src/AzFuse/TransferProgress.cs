namespace AzFuse;

/// <summary>
/// How far a batch transfer has come: reported through <see cref="IProgress{T}"/> by
/// <see cref="AzFuseClient.Prepare(IEnumerable{string}, IProgress{TransferProgress})"/> and by an
/// <see cref="AzFuseClient.AsyncUpload(IProgress{TransferProgress}, bool)"/> scope, fed by the
/// HTTP engine as each file completes and by azcopy's progress messages during a job.
/// </summary>
public sealed class TransferProgress
{
    /// <summary>Creates a report.</summary>
    /// <param name="filesDone">Files transferred and confirmed so far.</param>
    /// <param name="filesTotal">Files the transfer has to move (so far, for a scope that is still being written).</param>
    /// <param name="bytesDone">Bytes of the files transferred so far.</param>
    /// <param name="bytesTotal">Bytes to move in all, when known.</param>
    /// <param name="filesFailed">Files that have finally failed so far.</param>
    public TransferProgress(int filesDone, int filesTotal, long bytesDone, long? bytesTotal, int filesFailed = 0)
    {
        FilesDone = filesDone;
        FilesTotal = filesTotal;
        BytesDone = bytesDone;
        BytesTotal = bytesTotal;
        FilesFailed = filesFailed;
    }

    /// <summary>Files transferred and confirmed so far.</summary>
    public int FilesDone { get; }

    /// <summary>
    /// Files the transfer has to move: for Prepare, those not cached yet; for an upload scope, the
    /// files written in it so far (it grows while the scope is written).
    /// </summary>
    public int FilesTotal { get; }

    /// <summary>Files that have finally failed so far (they are named by the exception at the end).</summary>
    public int FilesFailed { get; }

    /// <summary>Bytes transferred so far.</summary>
    public long BytesDone { get; }

    /// <summary>
    /// Bytes to move in all, when known: an upload scope knows the size of every file written;
    /// Prepare does not know the size of a blob before its download starts (<see langword="null"/>).
    /// </summary>
    public long? BytesTotal { get; }

    /// <summary>"12/300 files, 1048576 bytes".</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        FormattableString.Invariant($"{FilesDone}/{FilesTotal} files, {BytesDone}{(BytesTotal is { } total ? "/" + total : string.Empty)} bytes{(FilesFailed > 0 ? $", {FilesFailed} failed" : string.Empty)}");
}
