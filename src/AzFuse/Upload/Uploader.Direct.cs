using AzFuse.Remote;

namespace AzFuse.Upload;

/// <summary>Uploads outside the queue: a small synchronous write, sent before it is recorded (see <c>FileWriter.CommitAsync</c>).</summary>
internal sealed partial class Uploader
{
    /// <summary>
    /// Marks an upload of <paramref name="item"/>'s content as running outside the queue (a
    /// synchronous write sent before it is recorded), unless another write of the blob is pending,
    /// queued or uploading in this process: then <see langword="false"/>, and the write takes the
    /// journaled route behind it. Until <see cref="FinishDirect"/>, an upload of a record registered
    /// meanwhile (an earlier run's, adopted by a resume) waits, and is settled by this one if older.
    /// </summary>
    public bool TryStartDirect(PendingItem item)
    {
        lock (_gate)
        {
            if (_states.ContainsKey(item.Key))
            {
                return false;
            }

            _states.Add(item.Key, new KeyState(item) { InFlight = true });
            return true;
        }
    }

    /// <summary>Settles an upload started by <see cref="TryStartDirect"/>, as a queued one is settled.</summary>
    public void FinishDirect(PendingItem item, Exception? failure) => Finish(item.Key, item, failure);

    /// <inheritdoc cref="UploadTransfers.IsOneRequest"/>
    public bool IsOneRequest(long length) => _transfers.IsOneRequest(length);

    /// <summary>Uploads a file no record names (a synchronous write sent before it is committed); <see langword="null"/> once confirmed, else the final cause.</summary>
    public ValueTask<Exception?> UploadFileAsync(BlobLocation blob, string file, string cacheRoot, string logicalPath, bool async, CancellationToken cancellationToken) =>
        _transfers.UploadFileAsync(blob, file, cacheRoot, logicalPath, async, cancellationToken);
}
