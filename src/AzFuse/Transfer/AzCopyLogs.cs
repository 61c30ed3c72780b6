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

    /// <summary>
    /// Blob name to reason, for each transfer the run's log reports as failed (e.g. an MD5
    /// mismatch): azcopy's JSON output counts such failures but gives the reason only in its log,
    /// as "DOWNLOADFAILED: &lt;url&gt; : &lt;status&gt; : &lt;reason&gt;".
    /// </summary>
    public static Dictionary<string, string> FailedTransfers(string scratchFolder, string containerName)
    {
        const string Marker = "DOWNLOADFAILED: ";
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var log in Directory.EnumerateFiles(scratchFolder, "*.log"))
            {
                foreach (var line in File.ReadLines(log))
                {
                    var at = line.IndexOf(Marker, StringComparison.Ordinal);
                    var parts = at < 0 ? [] : line[(at + Marker.Length)..].Split(" : ", 3);
                    if (parts.Length == 3 && Uri.TryCreate(parts[0].Trim(), UriKind.Absolute, out var url))
                    {
                        var path = Uri.UnescapeDataString(url.AbsolutePath);
                        var container = path.IndexOf("/" + containerName + "/", StringComparison.Ordinal);
                        if (container >= 0)
                        {
                            reasons[path[(container + containerName.Length + 2)..]] = Redaction.Redact(parts[2].Trim());
                        }
                    }
                }
            }
        }
        catch (IOException)
        {
            // The reasons are a courtesy; the failure itself is known from the job's counts.
        }

        return reasons;
    }
}
