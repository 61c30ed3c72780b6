using AzFuse.Diagnostics;

namespace AzFuse;

/// <summary>
/// A lease on a file's blob (<see cref="AzFuseClient.AcquireLease"/>), usable as a lock across
/// machines: while it is held no one else can acquire it, write the blob or delete it. A finite
/// lease is renewed in the background, a third of its duration before it would expire; disposing
/// releases it.
/// </summary>
/// <remarks>
/// A lease that cannot be renewed (its holder was cut off for longer than the lease lasts, someone
/// broke it, the blob was deleted) is reported, never silently lost: <see cref="Lost"/> is
/// cancelled, <see cref="IsLost"/> turns true, an error is logged, and <see cref="Release"/> (or
/// Dispose) throws an <see cref="AzFuseException"/> saying when and why. Work that must stop when
/// the lock is gone can pass <see cref="Lost"/> as its cancellation token.
/// </remarks>
public sealed class AzFuseLease : IDisposable, IAsyncDisposable
{
    private readonly Func<bool, ValueTask> _release;
    private readonly CancellationTokenSource _lost = new();
    private readonly ITimer? _renewal;
    private Exception? _lostBecause;
    private int _released;

    internal AzFuseLease(string path, string leaseId, TimeSpan duration, Func<bool, ValueTask> release, Func<AzFuseLease, ITimer?> startRenewal)
    {
        Path = path;
        LeaseId = leaseId;
        Duration = duration;
        _release = release;
        _renewal = startRenewal(this);
    }

    /// <summary>The logical path whose blob is leased.</summary>
    public string Path { get; }

    /// <summary>The lease id the service handed out.</summary>
    public string LeaseId { get; }

    /// <summary>How long the lease lasts without a renewal; <see cref="Timeout.InfiniteTimeSpan"/> for a lease that never expires.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Whether the lease was lost while held (see the remarks).</summary>
    public bool IsLost => _lostBecause is not null;

    /// <summary>Cancelled when the lease is lost while held.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Releases the lease, so that others can acquire it at once. Does nothing when already released.</summary>
    /// <exception cref="AzFuseException">The lease had been lost while held; the message says when and why.</exception>
    public void Release() => ReleaseAsync(async: false).EnsureCompleted();

    /// <inheritdoc cref="Release"/>
    /// <returns>A task that completes once the lease is released.</returns>
    public ValueTask ReleaseAsync() => ReleaseAsync(async: true);

    /// <inheritdoc cref="Release"/>
    public void Dispose() => Release();

    /// <inheritdoc cref="Release"/>
    /// <returns>A task that completes once the lease is released.</returns>
    public ValueTask DisposeAsync() => ReleaseAsync();

    /// <summary>Records that the lease is gone, and says so to whoever watches <see cref="Lost"/>.</summary>
    internal void MarkLost(Exception reason)
    {
        // A renewal that fails after the release (its lease id is gone by then) loses nothing.
        if (Volatile.Read(ref _released) == 0 && Interlocked.CompareExchange(ref _lostBecause, reason, null) is null)
        {
            _renewal?.Dispose();
            _lost.Cancel();
        }
    }

    private async ValueTask ReleaseAsync(bool async)
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }

        if (_renewal is not null)
        {
            await _renewal.DisposeAsync().ConfigureAwait(false);
        }

        if (_lostBecause is { } reason)
        {
            throw Errors.LeaseWasLost(Path, reason);
        }

        await _release(async).ConfigureAwait(false);
    }
}
