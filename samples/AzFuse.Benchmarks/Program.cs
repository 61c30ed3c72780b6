// AzFuse benchmarks: each compares two ways of doing the same work in one run, against a local
// Azurite and the real azcopy, and prints both wall times and their ratio. Timings on shared
// machines are noisy; the ratio of two things measured side by side is what to quote.
//
//   ./build.sh bench [write] [--files N]
//
//   write   N small files uploaded one by one (each before its Dispose returns) against the
//           same N written inside an AsyncUpload scope (and once more with shmAsTmp: true).
using System.Diagnostics;
using System.Globalization;
using AzFuse;
using AzFuse.Testing;

var files = 1000;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--files" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0)
    {
        files = n;
        i++;
    }
    else if (args[i] != "write")
    {
        Console.Error.WriteLine("usage: AzFuse.Benchmarks [write] [--files N]");
        return 2;
    }
}

Console.WriteLine($"Setting up a local Azurite for the write benchmark ({files} files of a few bytes each)...");
await using var azurite = await AzuriteServer.StartAsync();
using var sandbox = await AzFuseSandbox.CreateAsync(azurite);
var counter = AzCopyCounter.Create(Path.Combine(sandbox.Root, "counter"));
sandbox.AzCopyPath = counter.ScriptPath;
var client = sandbox.CreateClient();

// Warm-up: the first write pays for JIT, the first SAS and azcopy's first start.
client.WriteAllText("data/warmup.txt", "warm-up");

var results = new List<(string Name, TimeSpan Elapsed, TimeSpan Returned, int AzCopyRuns)>();

results.Add(Measure("per-file synchronous upload", "sync", () => { }, () => { }));

AsyncUploadScope? scope = null;
results.Add(Measure("AsyncUpload scope", "async", () => scope = client.AsyncUpload(), () => scope!.Dispose()));
results.Add(Measure("AsyncUpload scope, shmAsTmp", "shm", () => scope = client.AsyncUpload(shmAsTmp: true), () => scope!.Dispose()));

Console.WriteLine();
Console.WriteLine($"{"mode",-30} {"wall ms",9} {"writes ms",10} {"azcopy runs",12}");
Console.WriteLine(new string('-', 64));
foreach (var (name, elapsed, returned, runs) in results)
{
    Console.WriteLine($"{name,-30} {elapsed.TotalMilliseconds,9:F0} {returned.TotalMilliseconds,10:F0} {runs,12}");
}

Console.WriteLine();
Console.WriteLine("'wall ms' ends when every file is uploaded (for a scope, when its Dispose returns);");
Console.WriteLine("'writes ms' is how long the loop of writes took to hand control back.");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio sync / AsyncUpload:             {results[0].Elapsed / results[1].Elapsed,6:F1}x"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio sync / AsyncUpload(shmAsTmp):   {results[0].Elapsed / results[2].Elapsed,6:F1}x"));
return 0;

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
