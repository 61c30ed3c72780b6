using Microsoft.Extensions.Logging;

namespace AzFuse.Diagnostics;

/// <summary>
/// Every log event of the library, with fixed event ids so that they can be filtered reliably.
/// No message contains a SAS, a key or a signed URL.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Cache hit for {LogicalPath}")]
    public static partial void CacheHit(ILogger logger, string logicalPath);

    [LoggerMessage(2, LogLevel.Debug, "Cache miss for {LogicalPath}")]
    public static partial void CacheMiss(ILogger logger, string logicalPath);

    [LoggerMessage(3, LogLevel.Information, "Downloaded {LogicalPath} ({Bytes} bytes) in {ElapsedMs} ms")]
    public static partial void Downloaded(ILogger logger, string logicalPath, long bytes, long elapsedMs);

    [LoggerMessage(4, LogLevel.Debug, "{LogicalPath} was filled by another process while this one waited")]
    public static partial void FilledByAnother(ILogger logger, string logicalPath);

    [LoggerMessage(5, LogLevel.Debug, "Prepare of {Requested} path(s): {Missing} not cached")]
    public static partial void PrepareStarted(ILogger logger, int requested, int missing);

    [LoggerMessage(6, LogLevel.Information, "Downloaded {Count} file(s) from container {Container} in one azcopy job ({Bytes} bytes)")]
    public static partial void BatchDownloaded(ILogger logger, int count, string container, long bytes);

    [LoggerMessage(7, LogLevel.Debug, "Started azcopy (process {ProcessId}): {Arguments}")]
    public static partial void AzCopyStarted(ILogger logger, int processId, string arguments);

    [LoggerMessage(8, LogLevel.Debug, "azcopy (process {ProcessId}) exited with code {ExitCode} after {ElapsedMs} ms")]
    public static partial void AzCopyExited(ILogger logger, int processId, int exitCode, long elapsedMs);

    [LoggerMessage(9, LogLevel.Debug, "{Count} path(s) passed to Prepare are outside every mapping and were ignored")]
    public static partial void UnmappedIgnored(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Information, "Cleared the cache copy of {LogicalPath}")]
    public static partial void CacheCleared(ILogger logger, string logicalPath);
}
