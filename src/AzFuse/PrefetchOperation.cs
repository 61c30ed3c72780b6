using System.Runtime.CompilerServices;

namespace AzFuse;

/// <summary>
/// A Prepare running in the background (<see cref="AzFuseClient.PrepareInBackground"/>): await it,
/// cancel it, or ask how far it got. While it runs, an Open of a file it has not fetched yet
/// fetches that file at once, and an Open of a file it is fetching waits for that file only.
/// </summary>
public sealed class PrefetchOperation
{
    private readonly CancellationTokenSource _cancel;
    private TransferProgress _progress;

    internal PrefetchOperation(int files, CancellationTokenSource cancel)
    {
        _cancel = cancel;
        _progress = new TransferProgress(0, files, 0, bytesTotal: null);
        Completion = Task.CompletedTask;
    }

    /// <summary>
    /// Completes when every file is cached or has failed: then faulted with an
    /// <see cref="AzFuseTransferException"/> whose <see cref="AzFuseTransferException.Failures"/> name
    /// the files that could not be fetched (a later Open of one tries again), or canceled after
    /// <see cref="Cancel"/>. Files already fetched stay cached either way.
    /// </summary>
    public Task Completion { get; private set; }

    /// <summary>Whether it has finished, one way or another.</summary>
    public bool IsCompleted => Completion.IsCompleted;

    /// <summary>How far it got: files and bytes fetched, of the files that were not cached when it started.</summary>
    public TransferProgress Progress => Volatile.Read(ref _progress);

    /// <summary>The files that could not be fetched, once it has completed; empty before, and when all arrived.</summary>
    public IReadOnlyList<TransferFailure> Failures =>
        Completion.Exception?.InnerException is AzFuseTransferException { Failures: var failures } ? failures : [];

    /// <summary>Stops it: transfers in flight are abandoned (nothing partial is kept), files already in the cache stay.</summary>
    public void Cancel() => _cancel.Cancel();

    /// <summary>Lets <c>await operation</c> wait for <see cref="Completion"/>.</summary>
    /// <returns>The awaiter of <see cref="Completion"/>.</returns>
    public TaskAwaiter GetAwaiter() => Completion.GetAwaiter();

    internal void Start(Func<IProgress<TransferProgress>, CancellationToken, Task> prepare, IProgress<TransferProgress>? progress)
    {
        var relay = new Relay(this, progress);
        // The token source is not disposed: Cancel may come at any time, even after completion.
        Completion = Task.Run(() => prepare(relay, _cancel.Token), CancellationToken.None);
    }

    // Reports arrive on transfer threads, synchronously: the latest is kept, then passed on.
    private sealed class Relay(PrefetchOperation owner, IProgress<TransferProgress>? next) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            Volatile.Write(ref owner._progress, value);
            next?.Report(value);
        }
    }
}
