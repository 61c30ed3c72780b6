namespace AzFuse.Remote;

/// <summary>
/// Cancels a request that makes no progress for a while: no response, or no bytes moving. Unlike
/// a fixed timeout it never cuts off a long transfer that is still moving, and unlike
/// <see cref="HttpClient.Timeout"/> it also covers reading the body.
/// </summary>
internal sealed class IdleTimeout : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public IdleTimeout(TimeSpan timeout, TimeProvider time, CancellationToken outer)
    {
        Timeout = timeout;
        _timer = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(outer, _timer.Token);
    }

    public TimeSpan Timeout { get; }

    /// <summary>Cancelled by the caller's token or when the timeout passes without <see cref="Touch"/>.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>Whether it was the timeout (not the caller) that cancelled.</summary>
    public bool HasExpired => _timer.IsCancellationRequested;

    /// <summary>Something moved: the timeout starts again.</summary>
    public void Touch()
    {
        try
        {
            _timer.CancelAfter(Timeout);
        }
        catch (ObjectDisposedException)
        {
            // The request is over.
        }
    }

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
