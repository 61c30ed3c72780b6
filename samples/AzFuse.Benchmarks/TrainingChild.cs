namespace AzFuse.Benchmarks;

/// <summary>
/// The benchmark program run again as a rank of a training job (configured by the AZFUSE_*
/// variables the parent passes), so that several processes can be timed against one:
/// <list type="bullet">
/// <item><c>child prepare FOLDER COUNT BARRIER [WARM_FOLDER]</c>: prepares WARM_FOLDER's 0.bin to
/// 15.bin first when given (so that the code is compiled before the clock starts), prints
/// "waiting", waits for the BARRIER file,
/// prepares FOLDER/0.bin to FOLDER/(COUNT-1).bin, prints "cpu MS" (the CPU time it used from
/// the barrier on) and exits.</item>
/// <item><c>child queue FOLDER COUNT</c>: writes COUNT small files in an AsyncUpload scope, prints
/// "written" and waits: a line on stdin ends the scope (waiting for the uploads) and exits; a
/// SIGTERM makes the library push what is queued before the process ends.</item>
/// </list>
/// </summary>
internal static class TrainingChild
{
    public const int WarmUpFiles = 16;

    public static int Run(string[] args)
    {
        switch (args)
        {
            case ["prepare", var folder, var countText, var barrier, .. var warm]:
                var paths = Enumerable.Range(0, int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture)).Select(i => $"{folder}/{i}.bin").ToList();
                if (warm is [var warmFolder])
                {
                    AzFile.Prepare(Enumerable.Range(0, WarmUpFiles).Select(i => $"{warmFolder}/{i}.bin"));
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
