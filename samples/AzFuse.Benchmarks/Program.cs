// AzFuse benchmarks: each compares ways of doing the same work in one run, against a local
// Azurite and the real azcopy, and prints wall times and their ratios. Timings on shared
// machines are noisy; the ratio of two things measured side by side is what to quote.
//
//   ./build.sh bench [read] [write] [sweep] [cache] [wire] [training] [large] [chunks] [hot] [options: see BenchmarkArguments.cs]
//
//   read    one 4 KB file against a bare GET; Prepare of --files (1000) x 4 KB against azcopy run
//           directly as one job; Prepare of 20 x 4 KB against azcopy's 2 s floor; one --big-mb
//           (256) MB file against curl. Each under auto, forced http and forced azcopy.
//   write   per-file synchronous uploads against AsyncUpload scopes (WriteBenchmark.cs).
//   sweep   forced http against forced azcopy over file sizes (download and upload) and Prepare
//           counts: where azcopy starts to win, to justify the auto thresholds (SweepBenchmark.cs).
//   cache   cache hits under each cache policy against the default; misses into a full bounded
//           cache against an unbounded one (CacheBenchmark.cs).
//   wire    one 4 KB miss and a Prepare of --files x 4 KB against a bare HttpClient (16 in flight);
//           the peak memory growth of a --big-mb download (WireBenchmark.cs).
//   training  8 processes preparing the same 2,000 x 64 KB against one process (time, bytes
//           fetched); exiting on SIGTERM with 300 queued uploads against ending the scope
//           (TrainingBenchmark.cs).
//   large   large files (LargeFileBenchmark.cs): --large-mb (1024) MiB download and upload on loopback
//           and through a link profile (a throttling proxy in this process: 10 ms each way, 25 MB/s
//           per connection) against azcopy, curl and one HTTP stream; a streamed read; peak memory;
//           a 4 KiB ReadRange of an uncached --range-mb (4096) MiB blob against a bare ranged GET.
//   chunks  ChunkSize x ChunksInFlight through the link profile: the measurements behind the defaults.
//   hot     issue 17's hot paths, each against its bare baseline, as one scorecard of ratios
//           (HotPathBenchmark.cs): --files (10,000) cache-hit Opens + 4 KiB reads against File.OpenRead
//           of the same files, default policy and max_cache_size on the mapping (<= 1.3x, <= 1.5x);
//           50 uncached 4 KiB Opens against bare GETs (<= 1.5x); 50 synchronous 4 KiB writes (Open,
//           write, Dispose) against bare Put Blobs (<= 1.5x); 200 x 1 KiB writes in an AsyncUpload
//           scope, and with shmAsTmp, until its Dispose returns against 200 PUTs 16 in flight (<= 1.2x);
//           a synchronous Prepare of 1,000 x 4 KiB against PrepareAsync (<= 1.1x) and against bare
//           GETs 16 in flight into files (<= 1.05x); a 100 MiB uncached Open + read against curl -o
//           (<= 1.3x). Misses and writes use blobs no earlier run touched. 2-3.5 minutes at --repeat 3.
//   scale   --scale-files (100,000) tiny blobs: Prepare uncached (time, azcopy runs, requests, peak
//           memory) and cached (against enumerating the cache folder), List against a bare SDK
//           listing, a dead process's journal of as many pending uploads resumed; one eviction
//           pass over --cache-files (1,000,000) cache files (ScaleBenchmark.cs).
//   (none)  the first six (large, chunks, hot and scale take minutes and disk: only when named).
using System.Globalization;
using AzFuse.Benchmarks;
using AzFuse.Testing;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args is ["child", .. var childArgs])
{
    return TrainingChild.Run(childArgs); // a rank of the training benchmark
}

if (args is ["scale-child", .. var scaleArgs])
{
    return ScaleChild.Run(scaleArgs); // one measurement of the scale set, in a process of its own
}

if (BenchmarkArguments.Parse(args) is not { } arguments)
{
    return 2;
}

// Each set in its own sandbox (container, YAML files, cache) on the shared Azurite, in this order.
(bool Named, Func<Workbench, Task> Run)[] sets =
[
    (arguments.Read, bench => ReadBenchmarks.RunAsync(bench, arguments)),
    (arguments.Sweep, bench => SweepBenchmark.RunAsync(bench, arguments)),
    (arguments.Wire, bench => WireBenchmark.RunAsync(bench, arguments)),
    (arguments.Large, bench => LargeFileBenchmark.RunAsync(bench, arguments)),
    (arguments.Chunks, bench => LargeFileBenchmark.ChunksAsync(bench, arguments)),
    (arguments.Cache, CacheBenchmark.RunAsync),
    (arguments.Training, TrainingBenchmark.RunAsync),
    (arguments.Hot, bench => HotPathBenchmark.RunAsync(bench, arguments)),
];
if (arguments.Write || sets.Any(s => s.Named))
{
    // Started only for the sets that use it: the scale set runs on an Azurite of its own.
    Console.WriteLine("Starting a local Azurite...");
    await using var azurite = await AzuriteServer.StartAsync();
    if (arguments.Write)
    {
        await WriteBenchmark.RunAsync(azurite, arguments.Files);
    }

    foreach (var set in sets.Where(s => s.Named))
    {
        using var bench = await Workbench.CreateAsync(azurite, arguments.Repeat);
        await set.Run(bench);
    }
}

if (arguments.Scale)
{
    await ScaleBenchmark.RunAsync(arguments); // on an Azurite of its own, in memory (see there)
}

return 0;
