using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AzFuse.Transfer;

/// <summary>
/// The one retry policy of every request and transfer: exponential backoff with jitter, transient
/// causes only, for as long as <see cref="AzFuseOptions.RetryBudget"/> allows (counted from the
/// first attempt) and at most <see cref="AzFuseOptions.TransferAttempts"/> attempts.
/// </summary>
/// <remarks>
/// The Azure SDK's own retries are off (<c>Retry.MaxRetries = 0</c> in the client options), and
/// this policy runs around each request and each whole transfer instead, because: it must also
/// retry what the SDK cannot (an azcopy run, a download whose body broke off, an upload that could
/// not be confirmed); one definition of "transient" serves all of them (a 403, an untrusted
/// certificate or a credential that cannot sign in fails at once); and its limit is a time budget,
/// so a job rides out an outage of tens of seconds, where stacked policies would multiply attempts
/// and waits. A request that used up its budget is marked (<see cref="AzFuseException.WasRetried"/>)
/// so that a transfer around it does not retry it again.
/// </remarks>
internal sealed class RetryPolicy
{
    private static readonly ResiliencePropertyKey<long> s_startedAt = new("AzFuse.RetryPolicy.StartedAt");

    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;

    private RetryPolicy(ResiliencePipeline pipeline, TimeProvider time)
    {
        _pipeline = pipeline;
        _time = time;
    }

    /// <summary>One attempt, no retries (test seeding, and tools that retry themselves).</summary>
    public static RetryPolicy None { get; } = new(ResiliencePipeline.Empty, TimeProvider.System);

    public static RetryPolicy Create(AzFuseOptions options, ILogger logger)
    {
        var time = options.TimeProvider;
        if (options.TransferAttempts == 1 || options.RetryBudget == TimeSpan.Zero)
        {
            return new RetryPolicy(ResiliencePipeline.Empty, time);
        }

        var budget = options.RetryBudget;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is AzFuseException { IsTransient: true, WasRetried: false } &&
                    time.GetElapsedTime(args.Context.Properties.GetValue(s_startedAt, time.GetTimestamp())) < budget),
                MaxRetryAttempts = options.TransferAttempts - 1,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryDelay * 10,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    Log.Retrying(logger, args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.Message ?? string.Empty);
                    Telemetry.Retried();
                    return default;
                },
            })
            .Build();
        return new RetryPolicy(pipeline, time);
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds or fails for good: awaited when
    /// <paramref name="async"/>, else blocking from start to end (never sync-over-async).
    /// </summary>
    public async ValueTask<T> RunAsync<T>(Func<bool, CancellationToken, ValueTask<T>> attempt, bool async, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(s_startedAt, _time.GetTimestamp());
        try
        {
            return async
                ? await _pipeline.ExecuteAsync(static (ctx, a) => a(true, ctx.CancellationToken), context, attempt).ConfigureAwait(false)
                : _pipeline.Execute(static (ctx, a) => a(false, ctx.CancellationToken).EnsureCompleted(), context, attempt);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public async ValueTask RunAsync(Func<bool, CancellationToken, ValueTask> attempt, bool async, CancellationToken cancellationToken) =>
        await RunAsync(
            async (isAsync, ct) =>
            {
                await attempt(isAsync, ct).ConfigureAwait(false);
                return true;
            },
            async,
            cancellationToken).ConfigureAwait(false);
}
