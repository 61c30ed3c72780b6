using AzFuse.Diagnostics;

namespace AzFuse.Transfer;

/// <summary>azcopy's own log files, kept for a while after a failed run so a user can read them.</summary>
internal static class AzCopyLogs
{
    /// <summary>How long the plans and logs of a failed or abandoned run are kept before pruning.</summary>
    public static readonly TimeSpan KeepFailedRunsFor = TimeSpan.FromDays(7);

    /// <summary>The last lines of the run's main log that say something (secrets removed), or "".</summary>
    public static string Tail(string scratchFolder, int lines = 8)
    {
        try
        {
            var log = Directory.EnumerateFiles(scratchFolder, "*.log")
                .Where(f => !f.EndsWith("-scanning.log", StringComparison.Ordinal))
                .FirstOrDefault();
            if (log is null)
            {
                return string.Empty;
            }

            var interesting = File.ReadLines(log)
                .Where(l => l.Contains("ERR", StringComparison.Ordinal) || l.Contains("RESPONSE", StringComparison.Ordinal) || l.Contains("FAIL", StringComparison.OrdinalIgnoreCase))
                .TakeLast(lines);
            return Redaction.Redact(string.Join('\n', interesting));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
