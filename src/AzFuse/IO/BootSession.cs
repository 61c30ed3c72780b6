using System.Globalization;

namespace AzFuse.IO;

/// <summary>
/// Which boot of the machine this is, and when it started: what tells, after a restart, which
/// files were written before it (and so may have been lost with the page cache).
/// </summary>
internal static class BootSession
{
    private static readonly Lazy<string?> s_id = new(ReadId);
    private static readonly Lazy<DateTimeOffset?> s_startedAt = new(ReadStartedAt);

    /// <summary>The kernel's random id of this boot (Linux); <see langword="null"/> elsewhere.</summary>
    public static string? Id => s_id.Value;

    /// <summary>When this boot started (Linux: <c>btime</c> in <c>/proc/stat</c>); <see langword="null"/> elsewhere.</summary>
    public static DateTimeOffset? StartedAt => s_startedAt.Value;

    /// <summary>This boot, where both its id and its start are known.</summary>
    public static Boot? Current => Id is { } id && StartedAt is { } started ? new Boot(id, started) : null;

    private static string? ReadId()
    {
        try
        {
            var id = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            return id.Length > 0 && id.All(c => char.IsAsciiHexDigit(c) || c == '-') ? id : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static DateTimeOffset? ReadStartedAt()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                {
                    return DateTimeOffset.FromUnixTimeSeconds(seconds);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}

/// <summary>One boot of the machine: its id, and when it started.</summary>
internal readonly record struct Boot(string Id, DateTimeOffset StartedAt);
