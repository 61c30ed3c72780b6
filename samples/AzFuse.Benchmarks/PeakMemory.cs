using System.Globalization;

namespace AzFuse.Benchmarks;

/// <summary>
/// The process's peak resident memory as Linux keeps it (VmHWM in /proc/self/status), which can
/// be reset (writing 5 to /proc/self/clear_refs) so that one transfer's peak can be read.
/// </summary>
internal static class PeakMemory
{
    /// <summary>Resets the peak to the current resident size and returns it, in bytes.</summary>
    public static long Reset()
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Read("VmHWM:");
    }

    /// <summary>The peak resident size since the last <see cref="Reset"/>, in bytes.</summary>
    public static long Peak() => Read("VmHWM:");

    private static long Read(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        var kib = long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kib * 1024;
    }
}
