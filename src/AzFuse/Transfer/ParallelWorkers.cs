using System.Runtime.ExceptionServices;
using AzFuse.Diagnostics;

namespace AzFuse.Transfer;

/// <summary>
/// Runs the workers of one transfer side by side (the ranges of a download, the blocks of an upload)
/// until all are done; the first failure stops the others, and is what the caller sees.
/// </summary>
/// <remarks>
/// Asynchronously, each worker is a task of asynchronous calls. Synchronously (the library's sync
/// API shares its code with the async one: <c>bool async</c>), the workers make blocking calls, so
/// each runs on a thread of its own (<see cref="TaskCreationOptions.LongRunning"/>) and the caller's
/// thread runs the first: on a thread pool of two threads (two cores), blocking pool threads would
/// run two workers at a time until the pool grew, about one thread a second.
/// </remarks>
internal static class ParallelWorkers
{
    public static async ValueTask RunAsync(int count, Func<int, bool, CancellationToken, ValueTask> worker, bool async, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var failures = new Exception?[count];

        if (async)
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(
                async () =>
                {
                    try
                    {
                        await worker(i, true, stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        failures[i] = ex;
                        await stop.CancelAsync().ConfigureAwait(false);
                    }
                },
                CancellationToken.None))).ConfigureAwait(false);
        }
        else
        {
            void RunOne(int i)
            {
                try
                {
                    worker(i, false, stop.Token).EnsureCompleted();
                }
                catch (Exception ex)
                {
                    failures[i] = ex;
                    stop.Cancel();
                }
            }

            var others = Enumerable.Range(1, count - 1)
                .Select(i => Task.Factory.StartNew(() => RunOne(i), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();
            RunOne(0);
            Task.WaitAll(others, CancellationToken.None);
        }

        // The cause, not the cancellations it caused in the other workers.
        cancellationToken.ThrowIfCancellationRequested();
        if ((failures.FirstOrDefault(f => f is not null and not OperationCanceledException) ?? failures.FirstOrDefault(f => f is not null)) is { } failure)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }
}
