namespace AzFuse.Transfer;

/// <summary>
/// How many workers of a parallel download may fetch ranges: a few at first, twice as many each
/// time the download proves to be the slower side (<see cref="Widen"/>), up to the limit
/// (<see cref="AzFuseOptions.ChunksInFlight"/>). Each worker waits for its turn once, before its
/// first range, and keeps it to the end.
/// </summary>
internal sealed class RangeRamp : IDisposable
{
    private readonly SemaphoreSlim _turns;
    private readonly int _limit;
    private int _allowed;
    private int _widest;

    public RangeRamp(int start, int limit)
    {
        _limit = limit;
        _allowed = _widest = Math.Min(start, limit);
        _turns = new SemaphoreSlim(_allowed);
    }

    /// <summary>How many workers may fetch ranges now.</summary>
    public int Allowed => Volatile.Read(ref _allowed);

    /// <summary>The most workers it let fetch ranges while there were ranges to start (what <see cref="OpenAll"/> adds is not counted).</summary>
    public int Widest => Volatile.Read(ref _widest);

    /// <summary>Waits until this worker may start fetching ranges.</summary>
    public async ValueTask WaitTurnAsync(bool async, CancellationToken cancellationToken)
    {
        if (async)
        {
            await _turns.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _turns.Wait(cancellationToken);
        }
    }

    /// <summary>Doubles how many workers may fetch ranges, up to the limit. Called from one thread at a time (the hasher's).</summary>
    public void Widen()
    {
        if (GrowTo(allowed => Math.Min(_limit, allowed * 2)) is { } grown)
        {
            Volatile.Write(ref _widest, Math.Max(Volatile.Read(ref _widest), grown));
        }
    }

    /// <summary>
    /// Lets every worker still waiting go: called when no range is left to hand out, so that those
    /// workers find the queue empty and end instead of waiting for a turn that never comes.
    /// </summary>
    public void OpenAll() => _ = GrowTo(_ => _limit);

    public void Dispose() => _turns.Dispose();

    /// <returns>How many workers may fetch ranges now, or <see langword="null"/> when this call let no more go.</returns>
    private int? GrowTo(Func<int, int> next)
    {
        var allowed = Volatile.Read(ref _allowed);
        while (next(allowed) is var grown && grown > allowed)
        {
            var seen = Interlocked.CompareExchange(ref _allowed, grown, allowed);
            if (seen == allowed)
            {
                _turns.Release(grown - allowed);
                return grown;
            }

            allowed = seen;
        }

        return null;
    }
}
