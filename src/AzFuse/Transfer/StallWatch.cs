namespace AzFuse.Transfer;

/// <summary>
/// A watchdog for one azcopy run: the run reports progress with <see cref="Touch"/> (bytes fed to
/// a pipe, any of a job's counters moving); when nothing moves for <see cref="Timeout"/>, the run is
/// killed. azcopy itself retries an unreachable service for many minutes with no flag to bound it,
/// and a failed upload must come back to its caller while the caller can still act on it.
/// </summary>
/// <remarks>
/// <para>
/// A job scans before it transfers, and azcopy says nothing while it does: with
/// <c>--list-of-files</c> it sends one HEAD per listed blob and hands the files on in parts of
/// 10,000, and only once the first part is handed on does it print its first progress message
/// (azcopy 10.32.2 on loopback: 20 s of silence for 10,000 blobs; the counters then stand still
/// again while each further part is scanned). Through a slow link or on a loaded machine that
/// silence lasts longer than the timeout, and a job that was working was killed with all its files.
/// So, until azcopy reports its job completely ordered (<see cref="ScanCompleted"/>), the answers
/// it reads count as progress too: a scanning azcopy reads its HEAD responses (300-500 KB/s
/// measured on loopback), while one retrying a stopped service read 3 bytes a second.
/// </para>
/// </remarks>
internal sealed class StallWatch
{
    /// <summary>
    /// How much a scanning job must read to count as progress: about 20 HEAD answers (azcopy read
    /// about 800 bytes per blob scanned on loopback), some 90 times what it read in a minute from a
    /// stopped service, and reached in about 20 s by a scan of one blob a second, well inside the
    /// default 2-minute timeout.
    /// </summary>
    public const long ScanReadBytes = 16 * 1024;

    private readonly TimeProvider _time;
    private readonly object _readGate = new();
    private long _lastProgress;
    private int _stalled;
    private int _scanning;
    private long _readMark = -1;

    /// <param name="timeout">How long nothing may move.</param>
    /// <param name="time">The clock.</param>
    /// <param name="scansFirst">An azcopy job: until <see cref="ScanCompleted"/>, what the process reads counts as progress (see the remarks).</param>
    public StallWatch(TimeSpan timeout, TimeProvider time, bool scansFirst = false)
    {
        Timeout = timeout;
        _time = time;
        _lastProgress = time.GetTimestamp();
        _scanning = scansFirst ? 1 : 0;
    }

    public TimeSpan Timeout { get; }

    /// <summary>Whether the watchdog killed the run.</summary>
    public bool HasStalled => Volatile.Read(ref _stalled) != 0;

    /// <summary>Whether what the process reads still counts as progress (a job that has not finished its scan).</summary>
    public bool IsScanning => Volatile.Read(ref _scanning) != 0;

    /// <summary>Something moved: the timeout starts again.</summary>
    public void Touch() => Volatile.Write(ref _lastProgress, _time.GetTimestamp());

    /// <summary>Starts counting from now (the process has just started).</summary>
    public void Start() => Touch();

    /// <summary>azcopy has found every file of its job: from now on only its counters and bytes are progress.</summary>
    public void ScanCompleted() => Volatile.Write(ref _scanning, 0);

    /// <summary>Checks periodically until disposed, calling <paramref name="kill"/> once on a stall.</summary>
    /// <param name="kill">Stops the run.</param>
    /// <param name="bytesRead">What the process has read so far, or <see langword="null"/> where the system cannot say; sampled on each check while <see cref="IsScanning"/>.</param>
    public IDisposable Watch(Action kill, Func<long?>? bytesRead = null)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(Timeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        return _time.CreateTimer(
            _ =>
            {
                if (bytesRead is not null && IsScanning)
                {
                    CountReads(bytesRead());
                }

                if (_time.GetElapsedTime(Volatile.Read(ref _lastProgress)) >= Timeout && Interlocked.Exchange(ref _stalled, 1) == 0)
                {
                    kill();
                }
            },
            state: null,
            period,
            period);
    }

    private void CountReads(long? read)
    {
        if (read is not { } total)
        {
            return;
        }

        // Timer callbacks may overlap on a starved thread pool: one sample at a time.
        lock (_readGate)
        {
            if (_readMark < 0)
            {
                _readMark = total; // the first sample is the baseline (the process loading itself)
            }
            else if (total - _readMark >= ScanReadBytes)
            {
                _readMark = total;
                Touch();
            }
        }
    }
}
