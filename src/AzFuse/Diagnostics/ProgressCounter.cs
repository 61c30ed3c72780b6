namespace AzFuse.Diagnostics;

/// <summary>
/// Counts a batch transfer's files and bytes from any thread and reports each change to the
/// caller's <see cref="IProgress{T}"/> as one consistent <see cref="TransferProgress"/>.
/// </summary>
internal sealed class ProgressCounter
{
    private readonly IProgress<TransferProgress> _sink;
    private readonly object _gate = new();
    private int _filesDone;
    private int _filesFailed;
    private int _filesTotal;
    private long _bytesDone;
    private long? _bytesTotal;

    public ProgressCounter(IProgress<TransferProgress> sink, int filesTotal, long? bytesTotal)
    {
        _sink = sink;
        _filesTotal = filesTotal;
        _bytesTotal = bytesTotal;
    }

    /// <summary>Reports the current state (the first report, before anything moved).</summary>
    public void Report() => Change(() => { });

    /// <summary>More work joined the transfer (a file written in an upload scope).</summary>
    public void Expect(int files, long bytes) => Change(() =>
    {
        _filesTotal += files;
        _bytesTotal = (_bytesTotal ?? 0) + bytes;
    });

    /// <summary>Files (and their bytes) arrived and were confirmed.</summary>
    public void Done(int files, long bytes) => Change(() =>
    {
        _filesDone += files;
        _bytesDone += bytes;
    });

    /// <summary>A file finally failed.</summary>
    public void Failed() => Change(() => _filesFailed++);

    /// <summary>Turns an azcopy job's running totals into additions to this counter.</summary>
    public JobProgress ForJob() => new(this);

    private void Change(Action change)
    {
        // Reported under the lock: two threads reporting outside it could deliver their snapshots
        // in the other order, and a sink that keeps the latest (PrefetchOperation.Progress, the
        // CLI's bar) would end on the older one, short of what was done.
        lock (_gate)
        {
            change();
            _sink.Report(new TransferProgress(_filesDone, _filesTotal, _bytesDone, _bytesTotal, _filesFailed));
        }
    }
}

/// <summary>
/// azcopy reports running totals for a job (TransfersCompleted, TotalBytesTransferred); this adds
/// only what grew since the last report, so that a retried job, which counts from zero again,
/// never makes the progress go backwards or count a file twice.
/// </summary>
internal sealed class JobProgress
{
    private readonly ProgressCounter _counter;
    private readonly object _gate = new();
    private long _files;
    private long _bytes;

    public JobProgress(ProgressCounter counter)
    {
        _counter = counter;
    }

    public void Update(long files, long bytes)
    {
        int addFiles;
        long addBytes;
        lock (_gate)
        {
            addFiles = (int)Math.Max(0, files - _files);
            addBytes = Math.Max(0, bytes - _bytes);
            _files = Math.Max(_files, files);
            _bytes = Math.Max(_bytes, bytes);
        }

        if (addFiles > 0 || addBytes > 0)
        {
            _counter.Done(addFiles, addBytes);
        }
    }
}
