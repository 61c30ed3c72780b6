using AzFuse.Transfer;

namespace AzFuse.Diagnostics;

/// <summary>A bounded parallel loop for the shared sync/async code paths.</summary>
internal static class ParallelLoop
{
    /// <summary>
    /// Runs <paramref name="body"/> for 0 to <paramref name="count"/> - 1, so many at a time: awaited,
    /// or as blocking calls on threads of their own.
    /// </summary>
    /// <remarks>
    /// Synchronously, <c>Parallel.For</c> would run the blocking bodies on pool threads: on two
    /// cores the pool starts with two and adds about one a second, so a synchronous Prepare of
    /// 1,000 small files ran two or three requests at a time instead of sixteen (1.4–2.5 × its async
    /// twin). <see cref="ParallelWorkers"/> gives each worker a thread of its own, and each worker
    /// takes the next index until none is left.
    /// </remarks>
    public static async ValueTask ForAsync(int count, ParallelOptions options, Func<int, CancellationToken, ValueTask> body, bool async)
    {
        if (async)
        {
            await Parallel.ForAsync(0, count, options, body).ConfigureAwait(false);
            return;
        }

        if (count == 0)
        {
            return;
        }

        var next = -1;
        var workers = Math.Min(count, options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount);
        ParallelWorkers.RunAsync(
            workers,
            (_, _, ct) =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    ct.ThrowIfCancellationRequested();
                    body(i, ct).EnsureCompleted();
                }

                return ValueTask.CompletedTask;
            },
            async: false,
            options.CancellationToken).EnsureCompleted();
    }
}
