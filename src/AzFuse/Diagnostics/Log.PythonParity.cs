using Microsoft.Extensions.Logging;

namespace AzFuse.Diagnostics;

/// <content>The events of local paths, leases, copies and blob properties (ids 80-99).</content>
internal static partial class Log
{
    [LoggerMessage(80, LogLevel.Debug, "Acquired a lease on {LogicalPath} for {Duration}")]
    public static partial void LeaseAcquired(ILogger logger, string logicalPath, TimeSpan duration);

    [LoggerMessage(81, LogLevel.Error, "The lease on {LogicalPath} was lost: it could not be renewed ({Reason})")]
    public static partial void LeaseLost(ILogger logger, string logicalPath, string reason);

    [LoggerMessage(82, LogLevel.Information, "Copied {Source} to {Destination} service-side")]
    public static partial void Copied(ILogger logger, string source, string destination);
}
