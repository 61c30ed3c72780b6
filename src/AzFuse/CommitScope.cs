using AzFuse.Commit;
using AzFuse.Diagnostics;

namespace AzFuse;

/// <summary>
/// A checkpoint being written (<see cref="AzFuseClient.BeginCommit"/>): files written inside it
/// upload in the background as in an <see cref="AsyncUploadScope"/>, and <see cref="Complete"/>,
/// once every one of them is confirmed, commits this rank's part of the folder. When every rank's
/// part is in, a manifest naming each file with its length and MD5 is written, last: a folder is
/// committed (<see cref="AzFuseClient.GetLatestCommit"/> returns it) only once that exists.
/// </summary>
/// <remarks>
/// Disposing the scope without <see cref="Complete"/> (an exception left the block) still waits
/// for the uploads, so nothing written is lost, but commits nothing: the folder stays uncommitted.
/// </remarks>
public sealed class CommitScope : IDisposable, IAsyncDisposable
{
    private readonly AsyncUploadScope _uploads;
    private readonly CommitProtocol _protocol;
    private readonly CommitRequest _request;
    private readonly object _gate = new();
    private Task<bool>? _completion;

    internal CommitScope(AsyncUploadScope uploads, CommitProtocol protocol, CommitRequest request)
    {
        _uploads = uploads;
        _protocol = protocol;
        _request = request;
    }

    /// <summary>The folder being committed, as given.</summary>
    public string Folder => _request.LogicalFolder;

    /// <summary>This process's rank among those writing parts of the folder.</summary>
    public int Rank => _request.Rank;

    /// <summary>How many ranks write parts of the folder.</summary>
    public int WorldSize => _request.WorldSize;

    /// <summary>
    /// Ends the scope, waits until every file written in it is uploaded, and commits this rank's
    /// part; the rank whose part completes the set writes the folder's manifest. Calling it again
    /// returns the first call's result, or tries again when it failed.
    /// </summary>
    /// <returns>
    /// Whether the folder is committed now: <see langword="true"/> for the rank that completed it
    /// (and for a single rank), <see langword="false"/> for ranks whose part was in before others'.
    /// </returns>
    /// <exception cref="AzFuseTransferException">Some files could not be uploaded; nothing was committed. They stay recorded for <see cref="AzFile.ResumePendingUploads"/>.</exception>
    /// <exception cref="AzFuseException">The part or the manifest could not be written; the folder stays uncommitted.</exception>
    public bool Complete()
    {
        var completion = Start(() =>
        {
            _uploads.Dispose();
            return Task.FromResult(_protocol.CompleteAsync(_request, _uploads.WrittenBlobs, async: false, CancellationToken.None).EnsureCompleted());
        });
        return completion.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Complete"/>
    /// <param name="cancellationToken">Stops waiting for the uploads and the commit; uploads go on, and a part not written is not.</param>
    public Task<bool> CompleteAsync(CancellationToken cancellationToken = default)
    {
        // Not an async method: leaving the upload scope must change the caller's context (see AsyncUploadScope.CompleteAsync).
        return Start(() =>
        {
            var uploaded = _uploads.CompleteAsync(cancellationToken);
            return CommitAfterAsync(uploaded, cancellationToken);
        });
    }

    /// <summary>Ends the scope; without <see cref="Complete"/> it waits for the uploads and commits nothing.</summary>
    /// <exception cref="AzFuseTransferException">Some files could not be uploaded.</exception>
    public void Dispose()
    {
        if (Volatile.Read(ref _completion) is null)
        {
            _uploads.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => Volatile.Read(ref _completion) is null ? _uploads.DisposeAsync() : ValueTask.CompletedTask;

    private async Task<bool> CommitAfterAsync(Task uploaded, CancellationToken cancellationToken)
    {
        await uploaded.ConfigureAwait(false);
        return await _protocol.CompleteAsync(_request, _uploads.WrittenBlobs, async: true, cancellationToken).ConfigureAwait(false);
    }

    private Task<bool> Start(Func<Task<bool>> complete)
    {
        lock (_gate)
        {
            // A commit that failed (the service unreachable after the retries) may be tried again;
            // the uploads are waited for once.
            if (_completion is null or { IsFaulted: true } or { IsCanceled: true })
            {
                try
                {
                    _completion = complete();
                }
                catch (Exception ex)
                {
                    _completion = Task.FromException<bool>(ex);
                }
            }

            return _completion;
        }
    }
}
