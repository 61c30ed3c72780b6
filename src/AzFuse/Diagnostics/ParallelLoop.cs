namespace AzFuse.Diagnostics;

/// <summary>A bounded parallel loop for the shared sync/async code paths.</summary>
internal static class ParallelLoop
{
    /// <summary>Runs <paramref name="body"/> for 0 to <paramref name="count"/> - 1, so many at a time: awaited, or on blocking threads.</summary>
    public static async ValueTask ForAsync(int count, ParallelOptions options, Func<int, CancellationToken, ValueTask> body, bool async)
    {
        if (async)
        {
            await Parallel.ForAsync(0, count, options, body).ConfigureAwait(false);
        }
        else
        {
            Parallel.For(0, count, options, i => body(i, options.CancellationToken).EnsureCompleted());
        }
    }
}
