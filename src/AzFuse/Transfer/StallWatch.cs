namespace AzFuse.Transfer;

/// <summary>
/// A watchdog for one azcopy run: the run reports progress with <see cref="Touch"/> (bytes fed to
/// a pipe, a job's byte counter moving); when nothing moves for <see cref="Timeout"/>, the run is
/// killed. azcopy itself retries an unreachable service for many minutes with no flag to bound it,
/// and a failed upload must come back to its caller while the caller can still act on it.
/// </summary>
internal sealed class StallWatch
{
    private readonly TimeProvider _time;
    private long _lastProgress;
    private int _stalled;

    public StallWatch(TimeSpan timeout, TimeProvider time)
    {
        Timeout = timeout;
        _time = time;
        _lastProgress = time.GetTimestamp();
    }

    public TimeSpan Timeout { get; }

    /// <summary>Whether the watchdog killed the run.</summary>
    public bool HasStalled => Volatile.Read(ref _stalled) != 0;

    /// <summary>Something moved: the timeout starts again.</summary>
    public void Touch() => Volatile.Write(ref _lastProgress, _time.GetTimestamp());

    /// <summary>Starts counting from now (the process has just started).</summary>
    public void Start() => Touch();

    /// <summary>Checks periodically until disposed, calling <paramref name="kill"/> once on a stall.</summary>
    public IDisposable Watch(Action kill)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(Timeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        return _time.CreateTimer(
            _ =>
            {
                if (_time.GetElapsedTime(Volatile.Read(ref _lastProgress)) >= Timeout && Interlocked.Exchange(ref _stalled, 1) == 0)
                {
                    kill();
                }
            },
            state: null,
            period,
            period);
    }
}
