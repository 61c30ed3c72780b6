using System.Globalization;

namespace AzFuse.Transfer;

/// <summary>
/// How many bytes a child process has read so far, from files, pipes and sockets alike: Linux's
/// <c>rchar</c> in <c>/proc/PID/io</c>. A <see cref="StallWatch"/> samples it to tell a scanning
/// azcopy (reading one HEAD response after another) from one that waits on a dead service.
/// </summary>
internal static class ProcessReads
{
    private const string Field = "rchar:";

    /// <summary>The bytes read, or <see langword="null"/> off Linux, once the process is gone, or where the file may not be read.</summary>
    public static long? Of(int processId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/io"))
            {
                if (line.StartsWith(Field, StringComparison.Ordinal))
                {
                    return long.TryParse(line.AsSpan(Field.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Exited meanwhile, or a hardened system that hides other processes' counters.
        }

        return null;
    }
}
