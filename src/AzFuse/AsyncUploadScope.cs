using AzFuse.Diagnostics;
using AzFuse.Upload;

namespace AzFuse;

/// <summary>
/// A region of code whose writes upload in the background: disposing a written stream queues
/// the file and returns at once, and disposing the scope waits until every file written in it
/// is uploaded. Returned by <see cref="AzFile.AsyncUpload(bool, bool)"/>; use it with <c>using</c> or
/// <c>await using</c>.
/// </summary>
/// <remarks>
/// The scope flows with the execution context, like <see cref="System.Transactions.TransactionScope"/>
/// with async flow: code called from it, tasks it starts and <c>Parallel</c> loops in it write
/// through it; other threads do not. Scopes nest; the innermost decides, and an inner scope with
/// <c>enabled: false</c> makes its writes synchronous again.
/// </remarks>
public sealed class AsyncUploadScope : IDisposable, IAsyncDisposable
{
    private readonly AsyncLocal<AsyncUploadScope?>? _current;
    private readonly object _gate = new();
    private readonly List<UploadTicket> _tickets = [];
    private readonly ProgressCounter? _progress;
    private readonly List<Task> _progressReports = [];
    private bool _exited;
    private Task? _wait;

    internal AsyncUploadScope(AsyncLocal<AsyncUploadScope?>? current, bool enabled, bool shmAsTmp, IProgress<TransferProgress>? progress)
    {
        _progress = progress is null ? null : new ProgressCounter(progress, filesTotal: 0, bytesTotal: 0);
        _current = current;
        Parent = current?.Value;
        IsEnabled = enabled;
        UsesSharedMemory = enabled && shmAsTmp;
        if (current is not null)
        {
            current.Value = this;
        }
    }

    /// <summary>Whether writes in this scope upload in the background.</summary>
    public bool IsEnabled { get; }

    /// <summary>Whether written files are staged in shared memory (<c>/dev/shm</c>) until uploaded.</summary>
    public bool UsesSharedMemory { get; }

    internal AsyncUploadScope? Parent { get; }

    /// <summary>
    /// Ends the scope and waits until every file written in it is uploaded.
    /// </summary>
    /// <exception cref="AzFuseTransferException">
    /// Some files could not be uploaded after their retries; <see cref="AzFuseTransferException.Failures"/>
    /// names each and why. Their content and pending-upload records are kept for
    /// <see cref="AzFile.ResumePendingUploads"/>.
    /// </exception>
    public void Dispose()
    {
        Exit();
        Wait().GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => new(CompleteAsync(CancellationToken.None));

    /// <summary>
    /// Ends the scope and waits, asynchronously, until every file written in it is uploaded.
    /// Cancelling stops the wait only: the uploads go on, and their records stay until confirmed.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AzFuseTransferException">As for <see cref="Dispose"/>.</exception>
    public Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        // Leave the scope before the first await: the caller's context must see the parent scope
        // again, and a change made after an await would not flow back to it.
        Exit();
        return Wait().WaitAsync(cancellationToken);
    }

    /// <summary>The blobs written in the scope so far (for a commit's manifest).</summary>
    internal IReadOnlyList<Remote.BlobLocation> WrittenBlobs
    {
        get
        {
            lock (_gate)
            {
                return _tickets.Select(t => t.Item.Blob).ToList();
            }
        }
    }

    /// <summary>Adds a write to the scope's wait; <see langword="false"/> when the scope has already ended (the write then uploads synchronously).</summary>
    internal bool TryTrack(UploadTicket ticket)
    {
        lock (_gate)
        {
            if (_exited)
            {
                return false;
            }

            _tickets.Add(ticket);

            // Under the lock with the ticket, so that a scope that ends now waits for this report too.
            if (_progress is not null)
            {
                _progressReports.Add(TrackProgress(_progress, ticket));
            }

            return true;
        }
    }

    private static Task TrackProgress(ProgressCounter progress, UploadTicket ticket)
    {
        // The data file was just closed and is not uploaded yet: its size is the bytes to send.
        var length = new FileInfo(ticket.Item.Record.DataPath).Length;
        progress.Expect(1, length);
        return ticket.Completion.ContinueWith(
            t =>
            {
                if (t.Result is null)
                {
                    progress.Done(1, length);
                }
                else
                {
                    progress.Failed();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>One wait per scope, shared by Dispose, DisposeAsync and CompleteAsync (no write can join an exited scope).</summary>
    private Task Wait() => LazyInitializer.EnsureInitialized(ref _wait, async () =>
    {
        UploadTicket[] tickets;
        Task[] reports;
        lock (_gate)
        {
            tickets = [.. _tickets];
            reports = [.. _progressReports];
        }

        var failures = await Task.WhenAll(tickets.Select(t => t.Completion)).ConfigureAwait(false);

        // The tickets complete their continuations asynchronously: without this wait, the last
        // progress report could arrive after the scope has ended.
        await Task.WhenAll(reports).ConfigureAwait(false);
        ThrowIfFailed(failures);
    });

    private void Exit()
    {
        lock (_gate)
        {
            if (_exited)
            {
                return;
            }

            _exited = true;
        }

        if (_current is not null && ReferenceEquals(_current.Value, this))
        {
            _current.Value = Parent;
        }
    }

    private static void ThrowIfFailed(TransferFailure?[] failures)
    {
        var failed = failures.OfType<TransferFailure>().ToList();
        if (failed.Count > 0)
        {
            throw Errors.UploadsFailed(failed);
        }
    }
}
