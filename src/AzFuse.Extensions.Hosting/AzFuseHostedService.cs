using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AzFuse.Extensions.Hosting;

/// <summary>
/// Starts and stops AzFuse's work with the host: at start the configuration is loaded (so that a
/// broken mapping fails the start, not the first request) and what earlier runs left pending is
/// uploaded; at stop every upload still queued is pushed out, for as long as the host's shutdown
/// timeout allows (its token), and what is left is named in the log and stays recorded.
/// </summary>
/// <remarks>
/// The library's own drain on SIGTERM (<see cref="AzFuseOptions.ShutdownUploadDeadline"/>) still
/// runs in a host, and waits on the same uploads: whichever comes first does the work.
/// </remarks>
internal sealed partial class AzFuseHostedService(AzFuseClient client, IOptions<AzFuseHostingOptions> hosting, ILoggerFactory? loggerFactory = null) : IHostedService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("AzFuse.Hosting");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (hosting.Value.SetAzFileDefault)
        {
            AzFile.Default = client;
        }

        if (!client.IsEnabled)
        {
            return;
        }

        _ = client.GetMappings(); // reads the mapping and storage account files: their errors name file and line
        if (!hosting.Value.ResumePendingUploadsAtStart)
        {
            return;
        }

        try
        {
            var uploaded = await client.ResumePendingUploadsAsync(cancellationToken).ConfigureAwait(false);
            Log.Resumed(_logger, uploaded);
        }
        catch (AzFuseTransferException ex)
        {
            // The application can run; the records stay for the next resume.
            Log.ResumeFailed(_logger, ex);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!client.IsEnabled)
        {
            return;
        }

        try
        {
            var result = await client.FlushUploadsAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            foreach (var path in result.NotUploaded)
            {
                Log.NotUploadedAtStop(_logger, path);
            }

            Log.Drained(_logger, result.Uploaded, result.NotUploaded.Count);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.StopTimedOut(_logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(120, LogLevel.Information, "Resumed {Count} upload(s) left pending by earlier runs")]
        public static partial void Resumed(ILogger logger, int count);

        [LoggerMessage(121, LogLevel.Warning, "Some uploads left pending by earlier runs could not be resumed; they stay recorded")]
        public static partial void ResumeFailed(ILogger logger, Exception exception);

        [LoggerMessage(122, LogLevel.Information, "Host stopping: uploaded {Uploaded} queued file(s); {NotUploaded} not uploaded")]
        public static partial void Drained(ILogger logger, int uploaded, int notUploaded);

        [LoggerMessage(123, LogLevel.Error, "{LogicalPath} was not uploaded before the host stopped; its content and pending-upload record stay, for ResumePendingUploads on this machine")]
        public static partial void NotUploadedAtStop(ILogger logger, string logicalPath);

        [LoggerMessage(124, LogLevel.Error, "The host's shutdown timeout passed while uploads were still queued; what was not uploaded stays recorded, for ResumePendingUploads on this machine")]
        public static partial void StopTimedOut(ILogger logger);
    }
}
