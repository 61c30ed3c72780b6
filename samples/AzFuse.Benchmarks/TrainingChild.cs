namespace AzFuse.Benchmarks;

/// <summary>
/// The benchmark program run again as a rank of a training job (configured by the AZFUSE_*
/// variables the parent passes), so that several processes can be timed against one:
/// <list type="bullet">
/// <item><c>child prepare FOLDER COUNT BARRIER [WARM_FOLDER]</c>: when WARM_FOLDER is given, first
/// prepares its 0.bin to 159.bin, 16 at a time, then idles a second (a rank that has been
/// working: the download path called often enough for .NET's tiered compiler to have finished
/// optimizing it, in the background, before the clock starts; nothing deleted, because on ext4 a
/// file deleted in the last minute makes every file created after it cost more);
/// prints "waiting", waits for the BARRIER file,
/// prepares FOLDER/0.bin to FOLDER/(COUNT-1).bin, prints "cpu MS" (the CPU time it used from
/// the barrier on) and exits.</item>
/// <item><c>child queue FOLDER COUNT</c>: writes COUNT small files in an AsyncUpload scope, prints
/// "written" and waits: a line on stdin ends the scope (waiting for the uploads) and exits; a
/// SIGTERM makes the library push what is queued before the process ends.</item>
/// </list>
/// </summary>
internal static class TrainingChild
{
    // 10 Prepares of 16: past the 30 calls after which .NET recompiles a method with its profile.
    public const int WarmUpFiles = 160;
    private const int WarmUpBatch = 16;

    public static int Run(string[] args)
    {
        switch (args)
        {
            case ["prepare", var folder, var countText, var barrier, .. var warm]:
                var paths = Enumerable.Range(0, int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture)).Select(i => $"{folder}/{i}.bin").ToList();
                if (warm is [var warmFolder])
                {
                    for (var first = 0; first < WarmUpFiles; first += WarmUpBatch)
                    {
                        AzFile.Prepare(Enumerable.Range(first, WarmUpBatch).Select(i => $"{warmFolder}/{i}.bin"));
                    }

                    Thread.Sleep(TimeSpan.FromSeconds(1));
                }

                Console.WriteLine("waiting");
                while (!File.Exists(barrier))
                {
                    Thread.Sleep(1);
                }

                var before = Environment.CpuUsage.TotalTime;
                AzFile.Prepare(paths);
                Console.WriteLine($"cpu {(Environment.CpuUsage.TotalTime - before).TotalMilliseconds:F0}");
                return 0;

            case ["queue", var folder, var countText]:
                var scope = AzFile.AsyncUpload();
                for (var i = 0; i < int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture); i++)
                {
                    AzFile.WriteAllText($"{folder}/{i}.txt", $"content {i}");
                }

                Console.WriteLine("written");
                _ = Console.ReadLine();
                scope.Dispose();
                return 0;

            default:
                Console.Error.WriteLine("usage: AzFuse.Benchmarks child prepare FOLDER COUNT BARRIER [WARM_FOLDER] | child queue FOLDER COUNT");
                return 2;
        }
    }
}
