namespace AzFuse.Cli.Progress;

/// <summary>
/// Keeps the newest report from the library. Reports arrive from transfer threads, possibly out
/// of order by a hair; the display polls this instead of redrawing on every file.
/// </summary>
internal sealed class LatestProgress : IProgress<TransferProgress>
{
    private readonly object _gate = new();
    private TransferProgress? _latest;

    public TransferProgress? Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    public void Report(TransferProgress value)
    {
        lock (_gate)
        {
            // Counts only grow: an older snapshot that lost the race to the lock is dropped.
            if (_latest is null || Moved(value) >= Moved(_latest) || value.FilesTotal != _latest.FilesTotal)
            {
                _latest = value;
            }
        }
    }

    private static long Moved(TransferProgress p) => p.FilesDone + p.FilesFailed + p.BytesDone;
}
