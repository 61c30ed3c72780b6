using System.Diagnostics;
using System.Globalization;
using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>
/// N small files uploaded one by one (each before its Dispose returns) against the same N written
/// inside an AsyncUpload scope (and once more with shmAsTmp: true), under the default engine.
/// </summary>
internal static class WriteBenchmark
{
    public static async Task RunAsync(AzuriteServer azurite, int files)
    {
        Console.WriteLine($"Setting up the write benchmark ({files} files of a few bytes each)...");
        using var sandbox = await AzFuseSandbox.CreateAsync(azurite);
        var counter = AzCopyCounter.Create(Path.Combine(sandbox.Root, "counter"));
        sandbox.AzCopyPath = counter.ScriptPath;
        var options = sandbox.CreateOptions();

        // The sandbox shortens the retry delay for tests; a benchmark measures what users get.
        options.RetryDelay = new AzFuseOptions().RetryDelay;
        var client = new AzFuseClient(options);

        // Warm-up: the first write pays for JIT, the first SAS and azcopy's first start.
        client.WriteAllText("data/warmup.txt", "warm-up");

        var results = new List<(string Name, TimeSpan Elapsed, TimeSpan Returned, int AzCopyRuns)>
        {
            Measure("per-file synchronous upload", "sync", () => { }, () => { }),
        };

        AsyncUploadScope? scope = null;
        results.Add(Measure("AsyncUpload scope", "async", () => scope = client.AsyncUpload(), () => scope!.Dispose()));
        results.Add(Measure("AsyncUpload scope, shmAsTmp", "shm", () => scope = client.AsyncUpload(shmAsTmp: true), () => scope!.Dispose()));

        var table = new Table("mode", "wall ms", "writes ms", "azcopy runs");
        foreach (var (name, elapsed, returned, runs) in results)
        {
            table.Add(name, Table.Ms(elapsed), Table.Ms(returned), runs.ToString(CultureInfo.InvariantCulture));
        }

        table.Print($"Write: {files} small files");
        Console.WriteLine("'wall ms' ends when every file is uploaded (for a scope, when its Dispose returns);");
        Console.WriteLine("'writes ms' is how long the loop of writes took to hand control back.");
        Table.PrintRatio("sync / AsyncUpload", results[0].Elapsed, results[1].Elapsed);
        Table.PrintRatio("sync / AsyncUpload(shmAsTmp)", results[0].Elapsed, results[2].Elapsed);

        (string, TimeSpan, TimeSpan, int) Measure(string name, string folder, Action begin, Action end)
        {
            var runsBefore = counter.Invocations.Count;
            var watch = Stopwatch.StartNew();
            begin();
            for (var i = 0; i < files; i++)
            {
                client.WriteAllText($"data/bench/{folder}/{i}.txt", i.ToString(CultureInfo.InvariantCulture));
            }

            var returned = watch.Elapsed;
            end();
            var elapsed = watch.Elapsed;
            Verify(folder);
            Console.WriteLine($"  {name}: {elapsed.TotalMilliseconds:F0} ms");
            return (name, elapsed, returned, counter.Invocations.Count - runsBefore);
        }

        // Not timed: every file must be in the container with the content written, or the numbers mean nothing.
        void Verify(string folder)
        {
            var wrong = 0;
            Parallel.For(0, files, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
            {
                if (sandbox.DownloadTextAsync($"bench/{folder}/{i}.txt").GetAwaiter().GetResult() != i.ToString(CultureInfo.InvariantCulture))
                {
                    Interlocked.Increment(ref wrong);
                }
            });

            if (wrong > 0)
            {
                throw new InvalidOperationException($"{wrong} file(s) of the '{folder}' run are missing or wrong in the container.");
            }
        }
    }
}
