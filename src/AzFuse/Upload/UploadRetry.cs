using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AzFuse.Upload;

/// <summary>The retry policy of uploads: exponential backoff with jitter, transient causes only, a bounded number of attempts.</summary>
internal static class UploadRetry
{
    public static ResiliencePipeline Create(AzFuseOptions options, ILogger logger)
    {
        if (options.UploadAttempts == 1)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // A denied SAS or a missing container will not pass by waiting: fail at once.
                ShouldHandle = new PredicateBuilder().Handle<AzFuseException>(ex => ex.IsTransient),
                MaxRetryAttempts = options.UploadAttempts - 1,
                Delay = options.UploadRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    Log.UploadRetrying(logger, args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds, args.Outcome.Exception?.Message ?? string.Empty);
                    return default;
                },
            })
            .Build();
    }
}
