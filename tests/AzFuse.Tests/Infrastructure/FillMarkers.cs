namespace AzFuse.Tests.Infrastructure;

/// <summary>
/// The marker a process leaves in a cache root's work folder while its fills may not be flushed
/// to disk yet (<c>.azfuse/.unsynced-BOOT-PID</c>, see <c>UnsyncedFills</c>): one per live process
/// that filled something, removed at its exit. Not litter, so the litter checks leave it out.
/// </summary>
public static class FillMarkers
{
    public static IEnumerable<string> Without(IEnumerable<string> paths) =>
        paths.Where(p => !Path.GetFileName(p).StartsWith(".unsynced-", StringComparison.Ordinal));
}
