using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AzFuse.Transfer;

/// <summary>
/// The retry policy of requests and transfers: exponential backoff with jitter, transient causes
/// only, <see cref="AzFuseOptions.TransferAttempts"/> attempts in all.
/// </summary>
internal static class TransferRetry
{
    /// <summary>
    /// Runs <paramref name="attempt"/> under <paramref name="pipeline"/>: awaited when
    /// <paramref name="async"/>, else blocking from start to end (never sync-over-async).
    /// </summary>
    public static async ValueTask<T> RunAsync<T>(this ResiliencePipeline pipeline, Func<bool, CancellationToken, ValueTask<T>> attempt, bool async, CancellationToken cancellationToken) =>
        async
            ? await pipeline.ExecuteAsync(ct => attempt(true, ct), cancellationToken).ConfigureAwait(false)
            : pipeline.Execute(ct => attempt(false, ct).EnsureCompleted(), cancellationToken);

    /// <inheritdoc cref="RunAsync{T}"/>
    public static async ValueTask RunAsync(this ResiliencePipeline pipeline, Func<bool, CancellationToken, ValueTask> attempt, bool async, CancellationToken cancellationToken)
    {
        if (async)
        {
            await pipeline.ExecuteAsync(ct => attempt(true, ct), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            pipeline.Execute(ct => attempt(false, ct).EnsureCompleted(), cancellationToken);
        }
    }

    public static ResiliencePipeline Create(AzFuseOptions options, ILogger logger)
    {
        if (options.TransferAttempts == 1)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // A denied SAS or a missing container will not pass by waiting: fail at once. A
                // failure the REST client already retried is not retried again around it.
                ShouldHandle = new PredicateBuilder().Handle<AzFuseException>(ex => ex.IsTransient && !ex.WasRetried),
                MaxRetryAttempts = options.TransferAttempts - 1,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    Log.Retrying(logger, args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.Message ?? string.Empty);
                    return default;
                },
            })
            .Build();
    }
}
