using System.Diagnostics;
using System.Globalization;

namespace AzFuse.Benchmarks;

/// <summary>
/// The benchmark program run again for one measurement of the scale set (configured by the
/// AZFUSE_* variables the parent passes), so that the peak memory it reports is that of a process
/// doing that work and nothing else (the parent holds Azurite's access log, seeding buffers and
/// the like):
/// <list type="bullet">
/// <item><c>scale-child prepare LIST</c>: prepares the logical paths listed in the file LIST, one a line.</item>
/// <item><c>scale-child resume</c>: uploads what other processes left pending (ResumePendingUploads).</item>
/// <item><c>scale-child open FIRST PATH</c>: opens the logical path FIRST and closes it (its time is
/// printed as "first-ms N"), then PATH, the call measured.</item>
/// </list>
/// Prints "ms N" (the call, from the client's first use), "peak-before N" and "peak N" (the
/// process's peak resident bytes before the call and at its end), "requests N" (the client's own
/// requests; azcopy's are not seen) and, for resume, "uploaded N" or, when some failed, "failed N"
/// and "cause TEXT" (the first failure's).
/// </summary>
internal static class ScaleChild
{
    public static int Run(string[] args)
    {
        var paths = args is ["prepare", var list] ? File.ReadAllLines(list) : null;
        var before = PeakMemory.Peak();
        var watch = Stopwatch.StartNew();
        if (args is ["open", var first, _])
        {
            AzFile.Open(first, FileMode.Open).Dispose();
            Console.WriteLine($"first-ms {watch.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)}");
            watch.Restart();
        }

        switch (args)
        {
            case ["prepare", _]:
                AzFile.Prepare(paths!);
                break;
            case ["resume"]:
                try
                {
                    Console.WriteLine($"uploaded {AzFile.ResumePendingUploads()}");
                }
                catch (AzFuseTransferException ex)
                {
                    // Measured all the same: the parent reports what failed and why, and goes on.
                    Console.WriteLine($"failed {ex.Failures.Count}");
                    Console.WriteLine($"cause {ex.Failures[0].Exception.Message.Split('\n')[0]}");
                }

                break;
            case ["open", _, var path]:
                AzFile.Open(path, FileMode.Open).Dispose();
                break;
            default:
                Console.Error.WriteLine("usage: AzFuse.Benchmarks scale-child prepare LIST | scale-child resume | scale-child open FIRST PATH");
                return 2;
        }

        var elapsed = watch.Elapsed;
        Console.WriteLine($"ms {elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"peak-before {before}");
        Console.WriteLine($"peak {PeakMemory.Peak()}");
        Console.WriteLine($"requests {AzFile.GetUsage().TotalRequests}");
        return 0;
    }
}
